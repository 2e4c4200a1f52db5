-- POST /orders {"id"?, "amount", "item"?}: start the order's workflow; 201 {"id"} once the start
-- is durable. With the same id again: the running order (201 again) or 409 once it has ended.
local http = require("http")
local uuid = require("uuid")
local reply = require("reply")

return function()
  local req, res = http.request(), http.response()
  local order, err = req:body_json()
  if err then return reply(res, http.STATUS.BAD_REQUEST, {error = "the body is not valid JSON: " .. err:message()}) end
  if type(order) ~= "table" or type(order.amount) ~= "number" or order.amount <= 0 then
    return reply(res, http.STATUS.BAD_REQUEST, {error = "amount must be a positive number"})
  end
  local id = order.id or uuid.v7()
  if type(id) ~= "string" or id == "" then return reply(res, http.STATUS.BAD_REQUEST, {error = "id must be a non-empty string"}) end

  local _, serr = process.with_options({["workflow.id"] = "order-" .. id})
    :spawn("app:order", "app:worker", {id = id, amount = order.amount, item = order.item})
  if serr then
    if errors.is(serr, errors.ALREADY_EXISTS) then return reply(res, http.STATUS.CONFLICT, {id = id, error = "order " .. id .. " already exists"}) end
    return nil, serr -- a 500, logged
  end
  reply(res, http.STATUS.CREATED, {id = id})
end
