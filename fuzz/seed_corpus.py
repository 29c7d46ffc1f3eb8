#!/usr/bin/env python3
"""seed_corpus.py - regenerates the seed files of fuzz/corpus/<harness>/.

Cuts small pieces (a few lines, a few polygons) out of the openly licensed
bundled sample (data/sample: GeoNames CC BY 4.0, KSE MIT, air-raid alerts
MIT, DeepState occupied union GPL-3.0) and writes tiny hand-made edge
cases beside them; fuzz/corpus/README.md lists what is where. Only needed
to regenerate the seeds (python3, standard library); building and testing
use the committed files. Files named crash-*, leak-* or regress-* are
inputs found by fuzzing, added by hand; this script never touches them.

    python3 fuzz/seed_corpus.py        # from the repository root
"""
import gzip
import json
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "data", "sample")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def sample_bytes(rel):
    with gzip.open(os.path.join(SAMPLE, rel), "rb") as f:
        return f.read()


def lines(rel):
    """The file's lines, each with its own line end (CRLF kept)."""
    return sample_bytes(rel).splitlines(keepends=True)


def write(harness, name, data):
    folder = os.path.join(CORPUS, harness)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def seeds_alerts():
    off = lines("alerts/official_data_en.csv.gz")
    vol = lines("alerts/volunteer_data_en.csv.gz")
    hdr = off[0]
    raion = [l for l in off if b",raion,20" in l][:2]
    luhansk = [l for l in off if l.startswith(b"Luhanska")][:1]
    real = {
        "official_head.csv": b"".join(off[:6]),
        # line 18 of the source: oblast and raion swapped
        "official_swapped.csv": hdr + b"".join(off[16:19]),
        "official_raion_luhansk.csv": hdr + b"".join(raion + luhansk),
        "volunteer_head.csv": b"".join(vol[:6]),
    }
    crlf = b"\r\n"
    hand = {
        "bom_lf.csv": b"\xef\xbb\xbf" + hdr.rstrip() + b"\n" +
        off[1].rstrip() + b"\n",
        "mixed_crlf_lf.csv": hdr.rstrip() + crlf + off[1].rstrip() + b"\n" +
        off[2].rstrip() + crlf,
        "rejects.csv": b"region,started_at,finished_at,naive\n"
        b"Atlantis,2022-02-25 16:36:22+00:00,2022-02-25 17:06:22+00:00,True\n"
        b"Kyiv City,2022-02-25 16:36:22+00:00,,False\n"
        b"Kyiv City,2022-02-25 18:00:00+00:00,2022-02-25 17:00:00+00:00,"
        b"False\n",
        "quoted_reordered.csv": b"started_at,finished_at,source,level,"
        b"hromada,raion,oblast\n"
        b"2022-03-15T16:10:34Z,2022-03-15 16:50:07.5+02:00,official,"
        b"hromada,\"m. Bila, \"\"Tserkva\"\"\",Bilotserkivskyi raion,"
        b"Kyivska oblast\n",
        "bad_date.csv": b"region,started_at,finished_at,naive\n"
        b"Kyiv City,2023-02-30 16:36:22+00:00,2023-02-30 17:06:22+00:00,"
        b"True\n",
        "bad_level.csv": hdr.replace(b"\r\n", b"\n") +
        b"Kyiv City,,,city,2022-03-15 16:19:20+00:00,"
        b"2022-03-15 18:52:28+00:00,official\n",
        "wrong_count.csv": b"region,started_at,finished_at,naive\n"
        b"Kyiv City,2022-02-25 16:36:22+00:00\n",
        "unterminated.csv": b"region,started_at,finished_at,naive\n"
        b"\"Kyiv City,2022-02-25 16:36:22+00:00,2022-02-25 17:06:22+00:00,"
        b"True\n",
        "empty.csv": b"",
    }
    for name, data in {**real, **hand}.items():
        write("alerts_csv", name, data)
    return real


def cut_states(n_states, n_districts, n_communities):
    states = json.loads(sample_bytes("alerts/states.json.gz"))
    out = {"states": []}
    for s in states["states"][:n_states]:
        s = dict(s)
        ds = []
        for dist in s["districts"][:n_districts]:
            dist = dict(dist)
            dist["communities"] = dist["communities"][:n_communities]
            ds.append(dist)
        s["districts"] = ds
        out["states"].append(s)
    return out


def seeds_regions():
    real = {
        "states_1x2x2.json": json.dumps(cut_states(1, 2, 2), indent=2,
                                        ensure_ascii=False),
        "states_3x1x1.json": json.dumps(cut_states(3, 1, 1),
                                        ensure_ascii=False),
    }
    hand = {
        "kyiv_city.json": '{"states":[{"stateName":"м. Київ","stateId":31,'
        '"districts":[]}]}',
        "bad_id.json": '{"states":[{"stateName":"x","stateId":1.5,'
        '"districts":[]}]}',
        "missing_member.json": '{"states":[{"stateId":4,"districts":[]}]}',
        "truncated.json": json.dumps(cut_states(1, 1, 2))[:90],
        "not_object.json": "[1, 2, 3]",
    }
    for name, data in {**real, **hand}.items():
        write("alert_regions", name, data)
    return real


def seeds_geonames():
    rows = lines("gazetteer/geonames_cities500_UA.txt.gz")
    def pick(pred, n):
        return [r for r in rows if pred(r.split(b"\t"))][:n]
    real = {
        "head.txt": b"".join(rows[:3]),
        "kharkiv_avdiivka.txt": b"".join(
            pick(lambda f: f[1] in (b"Kharkiv", b"Avdiivka"), 3)),
        "population_0.txt": b"".join(pick(lambda f: f[14] == b"0", 2)),
        "crimea.txt": b"".join(pick(lambda f: f[10] == b"11", 2)),
    }
    one = rows[1].rstrip(b"\n")
    f = one.split(b"\t")
    def row(**kw):
        g = list(f)
        for k, v in kw.items():
            g[int(k[1:])] = v
        return b"\t".join(g)
    hand = {
        "bom_crlf_blank.txt": b"\xef\xbb\xbf" + one + b"\r\n\r\n" + one +
        b"\r\n",
        "rejects.txt": row(c6=b"A") + b"\n" + row(c8=b"RU") + b"\n" +
        row(c1=b"") + b"\n",
        "bad_numbers.txt": row(c4=b"91.5") + b"\n" + row(c5=b"nan") + b"\n" +
        row(c14=b"-3") + b"\n" + row(c0=b"12a") + b"\n",
        "wrong_count.txt": b"\t".join(f[:10]) + b"\n",
    }
    for name, data in {**real, **hand}.items():
        write("geonames", name, data)
    return real


def seeds_kse():
    rows = lines("gazetteer/kse_hromada_centers_deoccupation.csv.gz")
    hdr = rows[0]
    kharkiv = [r for r in rows if "Харківська".encode() in r[:30]][:3]
    real = {
        "head.csv": b"".join(rows[:4]),
        "kharkiv.csv": hdr + b"".join(kharkiv),
    }
    hand = {
        "minimal.csv": "hromada_center,hromada_center_code,oblast_name,"
        "lat_center,lon_center\r\n"
        "\"Харків, центр\",UA63120270010072016,Харківська,49.99,36.23\r\n"
        ",UA1,Харківська,49.9,36.2\r\n",
        "geography.csv": "hromada,hromada_type,hromada_center,"
        "hromada_center_code,oblast_name,lat_center,lon_center,"
        "total_population_2022\n"
        "Ізюмська,міська,Ізюм,UA63040090010055398,Харківська,49.21,37.26,"
        "0\n",
        "missing_column.csv": "hromada_center,oblast_name\nІзюм,Харківська\n",
        "bad_coordinate.csv": "hromada_center,hromada_center_code,oblast_name,"
        "lat_center,lon_center\nІзюм,UA1,Харківська,inf,37.26\n",
    }
    for name, data in {**real, **hand}.items():
        write("kse", name, data)
    return real


def union_doc(polys, geom_type="MultiPolygon", name="deepstatemap_data_"
              "20250825"):
    """A DeepState union document in the source's own layout."""
    coords = polys if geom_type == "MultiPolygon" else polys[0]
    feat = {"type": "Feature", "properties": {},
            "geometry": {"type": geom_type, "coordinates": coords}}
    return ('{\n"type": "FeatureCollection",\n"name": "%s",\n'
            '"crs": { "type": "name", "properties": { "name": '
            '"urn:ogc:def:crs:OGC:1.3:CRS84" } },\n"features": [\n%s\n]\n}\n'
            % (name, json.dumps(feat, separators=(", ", ": "))))


def seeds_frontline():
    d = json.loads(sample_bytes(
        "frontline/deepstatemap_data_20250825.geojson.gz"))
    polys = d["features"][0]["geometry"]["coordinates"]
    small = sorted(range(len(polys)),
                   key=lambda i: sum(len(r) for r in polys[i]))
    big = polys[0]
    # the big polygon's hole, and the first 40 positions of its shell
    # closed again: a real shape cut small
    shell_cut = big[0][:40] + [big[0][0]]
    real = {
        "union_small.geojson": union_doc([polys[i] for i in small[:4]]),
        "union_polygon.geojson": union_doc([polys[small[5]]], "Polygon"),
        "union_shell_hole.geojson": union_doc([[shell_cut], [big[1]]]),
    }
    ring = polys[small[0]][0]
    ring2 = polys[small[1]][0]
    def feat(props, geom):
        return {"type": "Feature", "properties": props, "geometry": geom}
    def poly(r):
        return {"type": "Polygon", "coordinates": [r]}
    full = {"type": "FeatureCollection", "features": [
        feat({"fill": "#a52714"}, poly(ring)),
        feat({"fill": "#880E4F"}, {"type": "MultiPolygon",
                                   "coordinates": [[ring2]]}),
        feat({"fill": "#bcaaa4"}, {"type": "GeometryCollection",
                                   "geometries": [poly(ring),
                                                  {"type": "Point",
                                                   "coordinates": ring[0]}]}),
        feat({"fill": "#0f9d58"}, poly([p + [0] for p in ring2])),
        feat({"fill": "#ff5252"}, poly(ring)),
        feat({"fill": "#123456"}, poly(ring)),
        feat({"name": "unit"}, {"type": "Point", "coordinates": ring[0]}),
        feat({"fill": "#a52714"}, None),
    ]}
    nzz = {"value": {"type": "FeatureCollection", "features": [
        feat({"type": "nochange", "date": "2024-01-01"}, poly(ring)),
        feat({"type": "gains", "date": "2024-01-03"},
             {"type": "MultiPolygon", "coordinates": [[ring2]]}),
        feat({"type": "losses", "date": "2024-01-02"}, poly(ring)),
        feat({"type": "other", "date": "2024-01-02"}, poly(ring)),
    ]}}
    bounds = {"type": "FeatureCollection", "features": [
        feat({"shapeISO": "UA-63", "shapeName": "Kharkiv Oblast"},
             poly(ring)),
        feat({"ADMIN_1": "Місто Київ"}, poly(ring2)),
        feat({"shapeISO": "UA-99"}, poly(ring)),
    ]}
    bowtie = [[36.0, 49.0], [37.0, 50.0], [37.0, 49.0], [36.0, 50.0],
              [36.0, 49.0]]
    unclosed = [[36.0, 49.0], [37.0, 49.0], [37.0, 50.0], [36.0, 50.0]]
    faults = {"type": "FeatureCollection", "features": [
        feat({}, poly(bowtie)), feat({}, poly(unclosed)),
        feat({}, {"type": "Polygon", "coordinates": [bowtie[:3] +
                                                     [bowtie[0]]]}),
    ]}
    hand = {
        "deepstate_full.geojson": json.dumps(full),
        "nzz.json": json.dumps(nzz),
        "boundaries.geojson": json.dumps(bounds, ensure_ascii=False),
        "bowtie_unclosed.geojson": json.dumps(faults),
        "out_of_range.geojson": union_doc([[[[237.5, 49.0], [37.0, 49.0],
                                             [37.0, 50.0], [237.5, 49.0]]]]),
        "truncated.geojson": union_doc([polys[small[2]]])[:200],
        "no_date_name.geojson": union_doc([polys[small[0]]], name="x"),
    }
    for name, data in {**real, **hand}.items():
        write("frontline", name, data)
    return real, hand


def seeds_csv(alerts, kse):
    for name, data in list(alerts.items())[:2] + list(kse.items())[:1]:
        write("csv", name, data)
    hand = {
        "quotes.csv": b'a,"b ""c"" d","e,f"\n"multi\nline",,x\n',
        "blank_lines.csv": b"\r\n\na,b\r\n\r\n\nc,d\n",
        "bom_only.csv": b"\xef\xbb\xbf",
        "unterminated.csv": b'a,b\n"c,d\n',
        "stray_quote.csv": b'a,b"c\n',
        "utf8.csv": "Харків,Kharkiv,Charkiw\n".encode(),
        "bad_utf8.csv": b"a,\xc3\x28,b\n",
        "nul.csv": b"a,b\x00c\n",
    }
    for name, data in hand.items():
        write("csv", name, data)


def seeds_json(regions, frontline):
    write("json", "states.json", list(regions.values())[1])
    write("json", "union_polygon.geojson", frontline["union_polygon.geojson"])
    deep = "[" * 64 + "]" * 64
    hand = {
        "scalars.json": '[0, -0, 1e308, 1e400, -1.5E-7, true, false, null, '
        '"", "\\u0416\\ud83d\\ude00\\n\\"", {"a": {"b": []}}]',
        "depth_64.json": deep,
        "depth_65.json": "[" + deep + "]",
        "truncated_string.json": '{"name": "Хар',
        "trailing.json": '{"a": 1} {"b": 2}',
        "invalid.json": '{"a": tru}',
        "duplicate_keys.json": '{"a": 1, "a": 2}',
        "ws_only.json": " \r\n\t",
    }
    for name, data in hand.items():
        write("json", name, data)


def seeds_text():
    names = {
        "kharkiv_uk.txt": "Харків",
        "marinka_apostrophe.txt": "Мар\u02bcїнка",
        "yizium.txt": "Ізюм (Izium), Харківська обл.",
        "zhydachiv_latin.txt": "Żydaczów Jîdaciv",
        "mixed.txt": "Kropyvnytskyy / Кропивницький — Yевпаторія ґ Ё ъ",
        "timestamp.txt": "2022-03-15 16:10:34+00:00",
        "timestamp_frac.txt": "2024-02-29T23:59:60.125-14:59",
        "day.txt": "2024-07-08",
        "file_deepstate.txt": "deepstate_20220403T165926Z_1649005166."
        "geojson.gz",
        "file_nzz.txt": "data/nzz_2023-12-11.json.gz",
        "bad_utf8.txt": b"Har\xe2\x80kiv",
        "surrogate.txt": b"\xed\xa0\x80",
        "nul.txt": b"Kyiv\x00City",
    }
    for name, data in names.items():
        write("text", name, data)


def seeds_missiles():
    """Hand-made rows in the shape of missile_attacks_daily.csv (that table
    has no open licence, so nothing of it is copied here)."""
    hdr = ("time_start,time_end,model,launch_place,target,target_main,"
           "launched,destroyed,source\n")
    cases = {
        "waves.csv": hdr
        + "2024-07-01 20:00,2024-07-02 08:00,Shahed-136/131,Kursk oblast,"
          "Ukraine,,50.0,40.0,post\n"
        + "2024-07-01,2024-07-01,Orlan-10,,south,,2.0,2.0,post\n"
        + "2024-07-02 21:00,2024-07-03 08:00,Iskander-M,,"
          "Odesa oblast and Mykolaiv oblast,,3.0,1.0,post\n",
        "raions_and_cities.csv": hdr
        + "2024-07-03,2024-07-03,Lancet,,\"Dnipropetrovsk oblast, Dnipro "
          "Raion and Dnipropetrovsk oblast, Kryvyi Rih Raion\",,,0.0,x\n"
        + "2024-07-06,2024-07-06,ZALA,,Kyiv,,1.0,1.0,x\n"
        + "2024-12-01 10:00,2024-12-01 12:00,X-22,,Kyiv oblast (south) and "
          "north-east,,2.0,0.0,x\n",
        "rejects.csv": hdr
        + "2024-07-03,2024-07-03,X-59,,,,1.0,1.0,x\n"
        + "2024-07-04,2024-07-04,Unknown UAV,,front line,,1.0,1.0,x\n"
        + "2024-07-05,2024-07-05,,,Kyiv,,1.0,1.0,x\n"
        + "2024-07-06,2024-07-06,ZALA,,Kyiv,,many,1.0,x\n"
        + "2024-07-07 10:00,2024-07-07 09:00,X-22,,Ukraine,,1.0,0.0,x\n"
        + "2024-07-05,2024-07-05,Shahed-136/131,,Sumy oblast and Kursk "
          "oblast,,6.0,6.0,x\n"
        + "2199-01-01,,X-22,,Ukraine,,1.0,0.0,x\n",
        "times.csv": hdr
        + "2024-03-31 03:30 ,2024-10-27 03:30,Kalibr,,east,,4.0,4.0,x\r\n"
        + "2023-05-16 3:30,2023-05-16 07:00,X-47 Kinzhal,,Ukraine,,6.0,6.0,"
          "\"a\nb\"\n",
        "bad_date.csv": hdr
        + "2023-02-30 10:00,2023-02-30 12:00,X-59,,south,,1.0,1.0,x\n",
        "bad_time.csv": hdr + "2024-07-01 24:10,,X-59,,south,,1,1,x\n",
        "bad_shape.csv": hdr + "01/07/2024,2024-07-01,X-59,,south,,1,1,x\n",
        "wrong_count.csv": hdr + "2024-07-01,2024-07-01,X-59,,south,,1.0\n",
        "bad_header.csv": "time,model,target\n1,2,3\n",
        "long_target.csv": hdr + "2024-07-01,,X-59,,\""
        + " and ".join(["Odesa oblast, Izmail Raion"] * 60) + "\",1,1,x\n",
    }
    for name, data in cases.items():
        write("missiles_csv", name, data)


def seeds_alerts_in_ua():
    """Hand-made answers in the shape of the alerts.in.ua history API (its
    answers come under the API's terms of use, not an open licence, so
    none of them is copied here)."""
    def alert(i, ltype, title, oblast, start, end, atype="air_raid",
              deleted=None):
        return {"id": i, "location_title": title, "location_type": ltype,
                "location_uid": "76", "location_oblast": oblast,
                "location_oblast_uid": 76, "started_at": start,
                "finished_at": end, "updated_at": "2026-06-21T09:40:58.618Z",
                "alert_type": atype, "notes": None, "country": None,
                "deleted_at": deleted, "calculated": False}

    def doc(alerts):
        return json.dumps({"alerts": alerts,
                           "meta": {"last_updated_at":
                                    "2026/06/21 17:15:25 +0000",
                                    "type": "full"},
                           "disclaimer": "x"}, ensure_ascii=False, indent=1)

    kyiv, obl = "\u043c. \u041a\u0438\u0457\u0432", \
        "\u041a\u0438\u0457\u0432\u0441\u044c\u043a\u0430 " \
        "\u043e\u0431\u043b\u0430\u0441\u0442\u044c"
    s, e = "2026-06-21T09:19:29.000Z", "2026-06-21T09:40:54.000Z"
    valid = doc([
        alert(1, "oblast", kyiv, kyiv, s, e),
        alert(2, "raion", "\u041e\u0431\u0443\u0445\u0456\u0432\u0441"
              "\u044c\u043a\u0438\u0439 \u0440\u0430\u0439\u043e\u043d",
              obl, "2026-06-21T09:19:29Z", "2026-06-21T09:40:54+00:00"),
        alert(3, "hromada", "\u0406\u0440\u043f\u0456\u043d\u044c", obl,
              s, e),
        alert(4, "city", "\u0411\u0456\u043b\u0430 \u0426\u0435\u0440"
              "\u043a\u0432\u0430", obl, "2026-06-21T12:19:29+03:00", e),
    ])
    cases = {
        "valid.json": valid,
        "active.json": doc([alert(5, "oblast", kyiv, kyiv, s, None),
                            alert(6, "oblast", kyiv, kyiv,
                                  "2026-06-22T17:15:25Z", None)]),
        "rejects.json": doc([
            alert(7, "raion", "a", obl, s, e, atype="artillery_shelling"),
            alert(8, "oblast", kyiv, kyiv, s, e, deleted=e),
            alert(9, "oblast", "x", "Atlantis", s, e),
            alert(10, "oblast", kyiv, kyiv, e, s),
            alert(11, "oblast", kyiv, kyiv, "2099-01-01T00:00:00Z", None),
            alert(12, "village", "a", obl, s, e),
            alert(13, "hromada", "", obl, s, e),
        ]),
        "truncated.json": valid[:300],
        "missing_member.json": '{"alerts": [{"id": 1, "location_title": '
                               '"a", "location_type": "oblast", '
                               '"location_oblast": "Kyiv", "finished_at": '
                               'null, "alert_type": "air_raid"}]}',
        "bad_time.json": doc([alert(14, "oblast", kyiv, kyiv,
                                    "2026-02-30T10:00:00Z", e)]),
        "not_object.json": '{"alerts": [7, {}]}',
    }
    for name, data in cases.items():
        write("alerts_in_ua", name, data)


def shp_files(records):
    """A polygon shapefile's .shp and .shx: records is a list of rings
    lists (each ring a list of (lon, lat)), or None for a null shape."""
    body, index = b"", b""
    xs = [x for r in records if r for ring in r for x, _ in ring] or [0]
    ys = [y for r in records if r for ring in r for _, y in ring] or [0]
    box = struct.pack("<4d", min(xs), min(ys), max(xs), max(ys))
    for i, rings in enumerate(records):
        if rings is None:
            content = struct.pack("<i", 0)
        else:
            pts = [p for ring in rings for p in ring]
            starts, k = [], 0
            for ring in rings:
                starts.append(k)
                k += len(ring)
            content = (struct.pack("<i", 5) + box +
                       struct.pack("<2i", len(rings), len(pts)) +
                       struct.pack("<%di" % len(starts), *starts) +
                       b"".join(struct.pack("<2d", x, y) for x, y in pts))
        index += struct.pack(">2i", (100 + len(body)) // 2, len(content) // 2)
        body += struct.pack(">2i", i + 1, len(content) // 2) + content

    def header(length):
        return (struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length // 2) +
                struct.pack("<2i", 1000, 5) + box + b"\0" * 32)
    return header(100 + len(body)) + body, header(100 + len(index)) + index


def dbf_file(rows, fields=(("ISO_A2", 2), ("NAME", 16))):
    """A dBASE III file of character fields; rows are tuples of str."""
    rec_len = 1 + sum(n for _, n in fields)
    hdr_len = 32 + 32 * len(fields) + 1
    out = struct.pack("<4BIHH20x", 3, 125, 1, 1, len(rows), hdr_len, rec_len)
    for name, n in fields:
        out += name.encode().ljust(11, b"\0") + b"C" + b"\0" * 4 + \
            bytes([n, 0]) + b"\0" * 14
    out += b"\r"
    for row in rows:
        out += b" " + b"".join(v.encode().ljust(n)[:n]
                               for v, (_, n) in zip(row, fields))
    return out + b"\x1a"


def shapefile_input(shp, shx, dbf):
    """The harness's input: the lengths of .shp and .shx, then the three."""
    return struct.pack("<2I", len(shp), len(shx)) + shp + shx + dbf


def sample_exclave():
    """The smallest part of the sample's Russia (OSM, ODbL): the exclave
    Sankovo-Medvezhye, 10 points, cut out of the one record's 30 parts."""
    shp = sample_bytes("boundaries/osm_russia_incl_crimea.shp.gz")
    n_parts, n_pts = struct.unpack("<2i", shp[144:152])
    starts = list(struct.unpack("<%di" % n_parts, shp[152:152 + 4 * n_parts]))
    base = 152 + 4 * n_parts
    sizes = [(b - a) for a, b in zip(starts, starts[1:] + [n_pts])]
    k = sizes.index(min(sizes))
    ring = [struct.unpack("<2d", shp[base + 16 * i:base + 16 * i + 16])
            for i in range(starts[k], starts[k] + sizes[k])]
    return ring


def seeds_shapefile():
    square = [(30, 50), (30, 51), (31, 51), (31, 50), (30, 50)]
    hole = [(30.2, 50.2), (30.8, 50.2), (30.8, 50.8), (30.2, 50.8),
            (30.2, 50.2)]
    open_ring = [(32, 50), (32, 51), (33, 51), (33, 50)]
    shp, shx = shp_files([[square]])
    ru = dbf_file([("RU", "Russia")])
    write("shapefile", "square.bin", shapefile_input(shp, shx, ru))
    shp2, shx2 = shp_files([[square, hole, open_ring, [(36, 50), (36.5, 50)]],
                            None])
    write("shapefile", "rings_null.bin", shapefile_input(
        shp2, shx2, dbf_file([("BY", "Testland"), ("BY", "Testland")])))
    write("shapefile", "dbf_count.bin", shapefile_input(shp, shx, dbf_file(
        [("RU", "Russia"), ("RU", "Russia")])))
    write("shapefile", "no_country.bin", shapefile_input(
        shp, shx, dbf_file([("", "Nowhere")])))
    write("shapefile", "truncated.bin", shapefile_input(shp[:-20], shx, ru))
    far = shx[:104] + struct.pack(">i", 0x3ffffff0)
    write("shapefile", "shx_past_end.bin", shapefile_input(shp, far, ru))
    shpe, shxe = shp_files([[sample_exclave()]])
    real_dbf = sample_bytes("boundaries/osm_russia_incl_crimea.dbf.gz")
    write("shapefile", "osm_exclave.bin", shapefile_input(shpe, shxe,
                                                         real_dbf))


def seeds_incidents():
    """Hand-made incidents in the shapes of the Bellingcat civilian-harm
    export and the CIR map events (neither table has an open licence, so
    nothing of them is copied here)."""
    def inc(i, date, lat, lon, weapons=("Unknown",), filters=True):
        o = {"id": i, "date": date, "latitude": lat, "longitude": lon,
             "location": "", "description": "hand-made", "sources": []}
        if filters:
            o["filters"] = ([{"key": "Type of area affected",
                              "value": "Residential"}] +
                            [{"key": "Weapon System", "value": w}
                             for w in weapons])
        return o

    def doc(items):
        return json.dumps(items, indent=1, ensure_ascii=False)

    valid = doc([
        inc("A1", "03/01/2022", "49.993500", "36.230400"),
        inc("A2", "03/02/2022", 50.0, 36.25, filters=False),
        inc("A3", "03/03/2022", "49.95", "36.31",
            ("Small arms", "Cruise missile")),
        inc("A4", "03/03/2022", "49.95", "36.31", ("Small arms",)),
        inc("A5", "05/30/2023", "55.751014", "37.544821",
            ("Loitering munition", "Loitering munition")),
    ])
    bellingcat = {
        "valid.json": valid,
        "crlf.json": valid.replace("\n", "\r\n"),
        "rejects.json": doc([
            inc("B1", "3/1/2022", "49.9", "36.2"),
            inc("B2", "02/30/2022", "49.9", "36.2"),
            inc("B3", "03/01/2022", "-0.000137", "0.000403"),
            inc("B4", "03/01/2022", "49.9x", "36.2"),
            inc("B5", "01/01/2199", "49.9", "36.2"),
            inc("B6", "03/01/2022", "nan", "inf"),
        ]).replace('"inf"', "1e999"),
        "truncated.json": valid[:200],
        "not_array.json": '{"incidents": []}',
        "not_object.json": '[' + json.dumps(inc("C1", "03/01/2022", "49.9",
                                                 "36.2")) + ', 7]',
        "missing_member.json": '[{"id": "C2", "latitude": "1", '
                               '"longitude": "2"}]',
        "bad_filter.json": '[{"id": "C3", "date": "03/01/2022", '
                           '"latitude": "49.9", "longitude": "36.2", '
                           '"filters": [{"key": "Weapon System", '
                           '"value": 3}]}]',
        "empty.json": "[]",
    }
    for name, data in bellingcat.items():
        write("bellingcat_json", name, data)

    hdr = ("entry,date,event_group,title,brief description,lat,lon,country,"
           "province,district,town/city,arms/munition,violence level,link,"
           "geolocation\n")
    cir = {
        "valid.csv": hdr
        + "U1,2022-03-01,Bombing or Explosion Feb - June,Shelling,Strike,"
          "49.9935,36.2304,Ukraine,Kharkiv Oblast,,Kharkiv,,2,x,\n"
        + "U2,2022-03-02,Civilian Infrastructure Damage March 2022,School,"
          "\"A school was hit.\nThe roof, \"\"badly\"\".\",49.95,36.30,"
          "Ukraine,Kharkivs'ka oblast,,,,2,,\n"
        + "U3,2022-03-02,Russian Military Presence March 2022,Column,"
          "Tanks,50.1,36.5,Ukraine,,,,,1,,\n"
        + "U4,2022-03-03,Civilian Casualty,Belgorod,x,50.6,36.6,Russia,"
          ",,,,2,,\n"
        + "U5, 2022-03-05 ,Military Infrastructure Damage,Fire,x, 49.92 ,"
          " 36.40 , ukraine ,Charkov Oblast,,,,2,,\n",
        "crlf.csv": (hdr + "U1,2022-03-01,Civilian Casualty,a,b,49.99,36.23,"
                     "Ukraine,Kyiv,,,,3,,\n").replace("\n", "\r\n"),
        "rejects.csv": hdr
        + "R1,,Bombing or Explosion Feb - June,a,b,49.99,36.23,Ukraine,,,,,"
          "2,,\n"
        + "R2,2022-02-30,Civilian Casualty,a,b,49.99,36.23,Ukraine,,,,,3,,\n"
        + "R3,2022-03-04,Civilian Casualty,a,b,abc,36.23,Ukraine,,,,,3,,\n"
        + "R4,2022-03-04,Civilian Casualty,a,b,36.23,49.99,Ukraine,,,,,3,,\n"
        + "R5,01/03/2022,Civilian Casualty,a,b,49.99,36.23,Ukraine,,,,,3,,\n"
        + "R6,2199-01-01,Civilian Casualty,a,b,49.99,36.23,Ukraine,,,,,3,,\n"
        + "R7,2022-03-04,Civilian Casualty,a,b,nan,1e3,Ukraine,,,,,3,,\n",
        "reordered.csv": "country,lon,lat,event_group,date,entry\n"
        "Ukraine,36.2,49.9,Civilian Casualty,2022-03-01,A1\n",
        "bad_header.csv": "id,day,group,lat,lon\n1,2,3,4,5\n",
        "wrong_count.csv": "entry,date,event_group,lat,lon,country\n"
        "A1,2022-03-01,Civilian Casualty,49.9,36.2\n",
        "unterminated.csv": "entry,date,event_group,lat,lon,country\n"
        "A1,\"2022-03-01,Civilian Casualty,49.9,36.2,Ukraine\n",
    }
    for name, data in cir.items():
        write("cir_csv", name, data)


def seeds_displacement():
    """IOM DTM's oblast estimates and SLAC's settlement monitoring, written
    by hand in the real tables' shapes (neither has an open licence, so
    none of their rows is here): the quirks the readers handle (IOM's
    swapped Kyiv P-codes, "Temp03", "n/a" figures, the "Residence location
    unknown" row; SLAC's bands turned into numbers, "N/A" answers, a
    former name in brackets), rejects, truncations and bad headers."""
    head = ("round,reported_date,oblast,oblast_pcode,idps_present_est,"
            "returnees_present_est\n")
    iom = {
        "rounds.csv": head
        + "17,2024-08-31,Kyiv,UA32,370000,949000\n"
        + "17,2024-08-31,Kyivska,UA80,302000,632000\n"
        + "18,2024-10-31,Kyiv,Temp03,374000,957000\n"
        + "18,2024-10-31,Donetska*,UA14,n/a,n/a\n"
        + "18,2024-10-31,Luhanska*,UA44,n/a,n/a\n"
        + "18,2024-10-31,Residence location unknown (in Ukraine)**,n/a,"
        "12000,12000\n",
        "rejects.csv": head
        + "0,2024-08-31,Sumska,UA59,1,2\n"
        + "17,2024-02-30,Sumska,UA59,1,2\n"
        + "17,2199-01-01,Sumska,UA59,1,2\n"
        + "17,2024-08-31,Sumska,UA59,-5,2\n"
        + "17,2024-08-31,Sumska,UA59,1,9999999999999\n"
        + "17,2024-08-31,Atlantis,XX,1,2\n"
        + "17,2024-08-31,Sumska,UA59,1,2\n",
        "reordered_crlf.csv": "\ufeffoblast_pcode,oblast,round,"
        "returnees_present_est,idps_present_est,reported_date\r\n"
        "UA63,Kharkivska,20,608000,463000,2025-04-30\r\n",
        "truncated.csv": head + "20,2025-04-30,Sumska\n",
        "bad_header.csv": "round,date,oblast\n1,2,3\n",
        "unterminated.csv": head + "20,\"2025-04-30,Sumska,UA59,1,2\n",
    }
    for name, data in iom.items():
        write("iom_csv", name, data)
    head = ("start,oblast,rayon,hromada,settlement,civilians_present,"
            "civilians_number,civilians_number_detail,civ_change,"
            "civ_change_type,movement_now,movement_direction,"
            "frontline_distance,shelters\n")
    slac = {
        "visits.csv": head
        + "2024-08-28T13:58:40,Donetska,Kramatorskyi,Mykolaivs'ka,"
        "Mykolayivka,yes,more_2000,,no,N/A,no,,more_10km,yes\n"
        + "2024-08-28T13:01:15,Donetska,Bakhmutskyi,Sivers'ka,"
        "Sviato-Pokrovs'ke,no,0,,N/A,N/A,N/A,,less_5km,no\n"
        + "2024-09-06T10:00:00,Kharkivska,Iziumskyi,Borivska,"
        "Zapovidne (formerly Nikonorivka),yes,5011000,,yes,decrease,yes,"
        "evacuation,5_10km,no\n"
        + "2024-09-06,Dnipropetrovska,Synelnykivskyi,Mezhivska,Mezhova,"
        "yes,10012000,,yes,decrease increase,no,,more_10km,N/A\n",
        "rejects.csv": head
        + "2024-13-01T00:00:00,Donetska,a,b,c,yes,0,,no,,no,,less_5km,\n"
        + "2199-01-01T00:00:00,Donetska,a,b,c,yes,0,,no,,no,,less_5km,\n"
        + "2024-09-01T00:00:00,Atlantis,a,b,c,yes,0,,no,,no,,less_5km,\n"
        + "2024-09-01T00:00:00,Donetska,a,b,,yes,0,,no,,no,,less_5km,\n"
        + "2024-09-01T00:00:00,Donetska,a,b,c,maybe,0,,no,,no,,less_5km,\n"
        + "2024-09-01T00:00:00,Donetska,a,b,c,yes,12,,no,,no,,less_5km,\n"
        + "2024-09-01T00:00:00,Donetska,a,b,c,yes,0,,no,,no,,3km,\n"
        + "2024-09-01T00:00:00,Donetska,a,b," + "x" * 200
        + ",yes,0,,no,,no,,less_5km,\n",
        "truncated.csv": head + "2024-09-01T00:00:00,Donetska\n",
        "bad_header.csv": "start,oblast,settlement\n1,2,3\n",
    }
    for name, data in slac.items():
        write("slac_csv", name, data)


def main():
    alerts = seeds_alerts()
    regions = seeds_regions()
    seeds_geonames()
    kse = seeds_kse()
    frontline, _ = seeds_frontline()
    seeds_csv(alerts, kse)
    seeds_json(regions, frontline)
    seeds_text()
    seeds_missiles()
    seeds_alerts_in_ua()
    seeds_shapefile()
    seeds_incidents()
    seeds_displacement()


if __name__ == "__main__":
    main()
