-- One request against a shared rate limit: GCRA (generic cell rate algorithm), atomic because
-- Redis runs a script alone. Time is the server's (TIME), so the clients' clocks do not matter.
--
-- KEYS[1]  the budget: cloud-ocr:rl:<provider>:<account>:<action>, holding the theoretical
--          arrival time (TAT) of the next request, in microseconds of server time
-- ARGV[1]  the emission interval T in microseconds (1e6 / requests per second)
-- ARGV[2]  the burst B (>= 1): how many requests may go at once after a quiet spell
-- ARGV[3]  how many milliseconds the key outlives the moment its budget is whole again
--
-- Returns 0 when the request may go (it is counted), else the milliseconds to wait before
-- asking again (>= 1; nothing is counted).
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local keep = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then
  tat = now
end
local allow_at = tat - (burst - 1) * interval
if now < allow_at then
  return math.ceil((allow_at - now) / 1000)
end
local next_tat = tat + interval
-- %.0f: tostring would print 1.7e+15 and lose the microseconds.
redis.call('SET', KEYS[1], string.format('%.0f', next_tat),
  'PX', math.ceil((next_tat - now) / 1000) + keep)
return 0
