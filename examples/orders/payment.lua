-- call(op, key, body): POST the payment API's /op with the activity's Idempotency-Key; the id it
-- answers, or an error (retryable for a network error or a 5xx, not for a refusal).
local http_client = require("http_client")
local json = require("json")
local config = require("config")

return function(op, key, body)
  local res, err = http_client.post(config.payment_url .. "/" .. op, {
    headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = key},
    body = json.encode(body),
    timeout = "5s",
  })
  if err then return nil, err end -- a network error: retryable, the workflow's policy retries it
  if res.status_code >= 500 then
    return nil, errors.new({kind = errors.UNAVAILABLE, message = "payment API answered " .. res.status_code})
  end
  if res.status_code ~= 200 then
    return nil, errors.new({kind = errors.INVALID, message = op .. " refused: " .. (res.body or ""), retryable = false})
  end
  return json.decode(res.body).id
end
