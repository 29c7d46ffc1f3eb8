-- bench/serve_load.lua - the wrk script of bench/serve_load.sh: one path
-- per request, a random place id from a list file put into a template,
-- and at the end one line with requests/s, p50, p99 and the errors.
--
--   wrk -t2 -c64 -d30s --latency -s bench/serve_load.lua URL -- TEMPLATE [IDS]
--
-- TEMPLATE is the path and query, "{id}" standing for the place id:
-- "/api/assess/{id}?date=2025-08-25" or "/data/assess/{id}.json"; without
-- "{id}" every request asks for TEMPLATE (IDS is then not needed). IDS is
-- a file of place ids, one a line. Each of wrk's threads draws its own
-- sequence (seeded by its number and the time), so the connections do
-- not ask for the same places in step.
--
-- The last line printed, for the runner:
--   FWLOAD requests=N seconds=S rps=R p50_ms=A p99_ms=B max_ms=C
--          bytes=N non2xx=N errors=N
-- (one line; errors are connect, read, write and timeout errors together).

local template, ids, counter = "/", {}, 0
local threads = {}

function setup(thread)
    counter = counter + 1
    thread:set("thread_no", counter)
    table.insert(threads, thread)
end

function init(args)
    template = args[1] or "/"
    local file = args[2]
    if string.find(template, "{id}", 1, true) then
        if file == nil then
            error("serve_load.lua: TEMPLATE has {id} but no IDS file")
        end
        for line in io.lines(file) do
            local id = string.match(line, "^%s*(%d+)%s*$")
            if id then
                ids[#ids + 1] = id
            end
        end
        if #ids == 0 then
            error("serve_load.lua: no place ids in " .. file)
        end
    end
    math.randomseed(os.time() * 1000 + (thread_no or 0) * 7919)
end

function request()
    local path = template
    if #ids > 0 then
        local id = ids[math.random(#ids)]
        path = string.gsub(template, "{id}", id, 1)
    end
    return wrk.format(nil, path)
end

function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        "FWLOAD requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f " ..
        "max_ms=%.2f bytes=%d non2xx=%d errors=%d\n",
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, summary.bytes, e.status,
        e.connect + e.read + e.write + e.timeout))
end
