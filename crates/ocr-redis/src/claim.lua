-- Claims one input of a run for one worker, atomically, on the server's clock.
--
-- KEYS[1]  the input's hash (cloud-ocr:run:<run>:input:<id>)
-- KEYS[2]  the run's index set (cloud-ocr:run:<run>:index)
-- ARGV[1]  worker id, ARGV[2] lease in ms, ARGV[3] the input key, ARGV[4] the input's id,
-- ARGV[5]  retry failures recorded before this server time in ms (0: never)
--
-- Answers {verdict, ...}:
--   {'submit'}                     nothing was sent for it: submit (the lease is ours)
--   {'resume', job}                a job was submitted: poll it, never submit (lease ours)
--   {'done', output}               finished by someone
--   {'failed', kind, code, message, request_id}
--   {'busy', ms}                   another worker holds a live lease for ms more
-- An expired lease in state `submitting` means the holder stopped between recording that it
-- was about to send and recording the answer: the outcome is unknown, so the input is marked
-- failed (outcome_unknown) and never submitted again automatically.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local worker, lease, input = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local retry_before = tonumber(ARGV[5]) or 0
local h = redis.call('HMGET', KEYS[1], 'state', 'worker', 'lease_until', 'job', 'output',
  'error_kind', 'error_code', 'error_message', 'error_request_id', 'updated_ms')
local state = h[1]
local function take(new_state)
  redis.call('HSET', KEYS[1], 'state', new_state, 'worker', worker,
    'lease_until', now + lease, 'updated_ms', now)
end
if not state then
  redis.call('HSET', KEYS[1], 'input', input)
  take('claimed')
  redis.call('SADD', KEYS[2], ARGV[4])
  return {'submit'}
end
if state == 'done' then
  return {'done', h[5] or ''}
end
if state == 'failed' then
  local updated = tonumber(h[10]) or 0
  if retry_before > 0 and updated < retry_before then
    local kind = h[6] or ''
    local job_useful = kind ~= 'task_failed' and kind ~= 'result_expired'
      and kind ~= 'invalid_input' and kind ~= 'unsupported'
    redis.call('HDEL', KEYS[1], 'error_kind', 'error_code', 'error_message',
      'error_request_id', 'unknown_of')
    if h[4] and h[4] ~= '' and job_useful then
      take('submitted')
      return {'resume', h[4]}
    end
    redis.call('HDEL', KEYS[1], 'job')
    take('claimed')
    return {'submit'}
  end
  return {'failed', h[6] or '', h[7] or '', h[8] or '', h[9] or ''}
end
local lease_until = tonumber(h[3]) or 0
if h[2] ~= worker and lease_until > now then
  return {'busy', tostring(lease_until - now)}
end
if state == 'claimed' then
  take('claimed')
  return {'submit'}
end
if state == 'submitted' then
  take('submitted')
  return {'resume', h[4] or ''}
end
if state == 'submitting' then
  redis.call('HSET', KEYS[1], 'state', 'failed', 'worker', worker, 'lease_until', 0,
    'updated_ms', now, 'unknown_of', h[2] or '', 'error_kind', 'outcome_unknown',
    'error_code', '', 'error_request_id', '',
    'error_message', 'the worker ' .. (h[2] or '?') .. ' stopped while submitting ' .. input ..
      ': the submission may have reached the service (and been billed), so it is not ' ..
      'submitted again; check the service, or run again with --retry-failed to submit it again')
  local e = redis.call('HMGET', KEYS[1], 'error_kind', 'error_code', 'error_message',
    'error_request_id')
  return {'failed', e[1], e[2], e[3], e[4]}
end
return redis.error_reply('cloud-ocr: unknown input state ' .. tostring(state))
