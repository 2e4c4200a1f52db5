-- POST /orders/{id}/approve {"by"?}: signal the order's workflow (durable before the 202).
local http = require("http")
local workflow = require("workflow")
local reply = require("reply")

return function()
  local req, res = http.request(), http.response()
  local id = req:param("id")
  local by = "anonymous"
  if req:has_body() then
    local body, err = req:body_json()
    if err then return reply(res, http.STATUS.BAD_REQUEST, {error = "the body is not valid JSON: " .. err:message()}) end
    if type(body) == "table" and type(body.by) == "string" then by = body.by end
  end
  local ok = process.send("order-" .. id, "approve", {by = by})
  if not ok then
    local order = workflow.describe("order-" .. id)
    if not order then return reply(res, http.STATUS.NOT_FOUND, {error = "no order " .. id}) end
    return reply(res, http.STATUS.CONFLICT, {id = id, status = order.status, error = "order " .. id .. " is " .. order.status})
  end
  reply(res, http.STATUS.ACCEPTED, {id = id, approved_by = by})
end
