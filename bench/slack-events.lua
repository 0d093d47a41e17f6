-- wrk script for bench/slack-events.sh: POSTs pre-signed, unique Slack events (bench/slack_events_gen.py) to
-- /slack/events. Each wrk thread takes every THREADS-th line of the id file, so no event id is sent twice.
-- The event id also goes in X-Request-Id, which the gateway echoes: every 200 is matched to its event id, and
-- done() writes the acknowledged ids to ACKED_FILE for the durability check.
--
-- Environment: BENCH_DIR (body.prefix, body.suffix, NAME.ids, NAME.ts), BENCH_NAME, THREADS, ACKED_FILE.

local threads = {}
local counter = 0

function setup(thread)
    thread:set("thread_index", counter)
    counter = counter + 1
    table.insert(threads, thread)
end

local function slurp(path)
    local file = assert(io.open(path, "rb"))
    local data = file:read("*a")
    file:close()
    return data
end

function init(args)
    local dir, name = os.getenv("BENCH_DIR"), os.getenv("BENCH_NAME")
    local nthreads = tonumber(os.getenv("THREADS"))
    prefix = slurp(dir .. "/body.prefix")
    suffix = slurp(dir .. "/body.suffix")
    timestamp = slurp(dir .. "/" .. name .. ".ts"):gsub("%s+", "")
    ids, signatures = {}, {}
    local line_number = 0
    for line in io.lines(dir .. "/" .. name .. ".ids") do
        if line_number % nthreads == thread_index then
            local id, signature = line:match("^(%S+) (%S+)$")
            ids[#ids + 1] = id
            signatures[#signatures + 1] = signature
        end
        line_number = line_number + 1
    end
    next_index = 0
    wrapped = 0
    acked = {}
    non200 = 0
end

function request()
    next_index = next_index + 1
    if next_index > #ids then
        -- Out of unique ids: from here on the gateway would see duplicates. Counted and reported as a failure.
        next_index = 1
        wrapped = wrapped + 1
    end
    local id = ids[next_index]
    local body = prefix .. id .. suffix
    return wrk.format("POST", "/slack/events", {
        ["Content-Type"] = "application/json",
        ["X-Slack-Request-Timestamp"] = timestamp,
        ["X-Slack-Signature"] = signatures[next_index],
        ["X-Request-Id"] = id,
    }, body)
end

function response(status, headers, body)
    if status == 200 then
        acked[#acked + 1] = headers["X-Request-Id"] or headers["x-request-id"] or "?"
    else
        non200 = non200 + 1
    end
end

function done(summary, latency, requests)
    local acked_total, non200_total, wrapped_total = 0, 0, 0
    local out = os.getenv("ACKED_FILE") and assert(io.open(os.getenv("ACKED_FILE"), "w"))
    for _, thread in ipairs(threads) do
        local list = thread:get("acked")
        acked_total = acked_total + #list
        non200_total = non200_total + thread:get("non200")
        wrapped_total = wrapped_total + thread:get("wrapped")
        if out then
            for _, id in ipairs(list) do out:write(id, "\n") end
        end
    end
    if out then out:close() end
    local e = summary.errors
    io.write(string.format(
        "RESULT requests=%d seconds=%.3f rps=%.0f mean_ms=%.2f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f "
            .. "acked=%d non200=%d connect=%d read=%d write=%d timeout=%d wrapped=%d\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
        latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000,
        acked_total, non200_total, e.connect, e.read, e.write, e.timeout, wrapped_total))
end
