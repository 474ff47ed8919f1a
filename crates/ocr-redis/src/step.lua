-- One guarded step of an input a worker holds; answers 1 when done, 0 when the worker no
-- longer holds the input in a state that allows the step (its lease was taken over).
--
-- KEYS[1]  the input's hash
-- ARGV[1]  worker id, ARGV[2] the step, ARGV[3..] its arguments:
--   renew LEASE_MS                  claimed | submitting | submitted
--   submitting LEASE_MS             claimed → submitting (about to send a billed request)
--   submitted JOB                   submitting | claimed → submitted; also failed by the
--                                   claim script as outcome_unknown of this very worker
--   release                         claimed | submitting → claimed, lease over (not sent)
--   done OUTPUT                     claimed | submitted → done
--   failed KIND CODE MESSAGE REQ    claimed | submitting | submitted → failed
--   recover JOB                     a spilled answer: submitting of ARGV[1] (or failed as its
--                                   outcome_unknown) → submitted, lease over (any worker runs it)
--   unsend                          a spilled "not sent": submitting of ARGV[1] → claimed
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local worker, step = ARGV[1], ARGV[2]
local h = redis.call('HMGET', KEYS[1], 'state', 'worker', 'unknown_of', 'error_kind')
local state, owner = h[1], h[2]
local unknown_mine = state == 'failed' and h[4] == 'outcome_unknown' and h[3] == worker
if not state then
  return 0
end
local function is(...)
  for _, s in ipairs({...}) do
    if state == s then return true end
  end
  return false
end
if step == 'recover' then
  if (is('submitting') and owner == worker) or unknown_mine then
    redis.call('HDEL', KEYS[1], 'error_kind', 'error_code', 'error_message',
      'error_request_id', 'unknown_of')
    redis.call('HSET', KEYS[1], 'state', 'submitted', 'job', ARGV[3], 'lease_until', 0,
      'updated_ms', now)
    return 1
  end
  return 0
end
if step == 'unsend' then
  if is('submitting') and owner == worker then
    redis.call('HSET', KEYS[1], 'state', 'claimed', 'lease_until', 0, 'updated_ms', now)
    return 1
  end
  return 0
end
if step == 'submitted' and unknown_mine then
  redis.call('HDEL', KEYS[1], 'error_kind', 'error_code', 'error_message',
    'error_request_id', 'unknown_of')
  redis.call('HSET', KEYS[1], 'state', 'submitted', 'worker', worker, 'job', ARGV[3],
    'updated_ms', now)
  return 1
end
if owner ~= worker then
  return 0
end
if step == 'renew' then
  if not is('claimed', 'submitting', 'submitted') then return 0 end
  redis.call('HSET', KEYS[1], 'lease_until', now + tonumber(ARGV[3]))
  return 1
elseif step == 'submitting' then
  if not is('claimed') then return 0 end
  redis.call('HSET', KEYS[1], 'state', 'submitting', 'lease_until', now + tonumber(ARGV[3]),
    'updated_ms', now)
  redis.call('HINCRBY', KEYS[1], 'submissions', 1)
  return 1
elseif step == 'submitted' then
  if not is('submitting', 'claimed') then return 0 end
  redis.call('HSET', KEYS[1], 'state', 'submitted', 'job', ARGV[3], 'updated_ms', now)
  return 1
elseif step == 'release' then
  if not is('claimed', 'submitting') then return 0 end
  redis.call('HSET', KEYS[1], 'state', 'claimed', 'lease_until', 0, 'updated_ms', now)
  return 1
elseif step == 'done' then
  if not is('claimed', 'submitted') then return 0 end
  redis.call('HSET', KEYS[1], 'state', 'done', 'output', ARGV[3], 'lease_until', 0,
    'updated_ms', now)
  return 1
elseif step == 'failed' then
  if not is('claimed', 'submitting', 'submitted') then return 0 end
  redis.call('HSET', KEYS[1], 'state', 'failed', 'error_kind', ARGV[3], 'error_code', ARGV[4],
    'error_message', ARGV[5], 'error_request_id', ARGV[6], 'lease_until', 0, 'updated_ms', now)
  return 1
end
return redis.error_reply('cloud-ocr: unknown step ' .. tostring(step))
