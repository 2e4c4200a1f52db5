-- Activity: charge a reservation (idempotent by the activity id, as reserve.lua).
local http_client = require("http_client")
local json = require("json")
local ctx = require("ctx")
local config = require("config")

return function(order, reservation)
  local key = ctx.get("activity_id")
  local res, err = http_client.post(config.payment_url .. "/charge", {
    headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = key},
    body = json.encode({order = order.id, amount = order.amount, reservation = reservation.id}),
    timeout = "5s",
  })
  if err then return nil, err end
  if res.status_code >= 500 then
    return nil, errors.new({kind = errors.UNAVAILABLE, message = "payment API answered " .. res.status_code})
  end
  if res.status_code ~= 200 then
    return nil, errors.new({kind = errors.INVALID, message = "charge refused: " .. (res.body or ""), retryable = false})
  end
  -- TODO(sql): mark the order row charged here (keyed by `key`).
  return {id = json.decode(res.body).id}
end
