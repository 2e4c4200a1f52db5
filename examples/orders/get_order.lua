-- GET /orders/{id}: the order workflow's state as committed (workflow.describe is wippy-ts's own).
local http = require("http")
local workflow = require("workflow")
local reply = require("reply")

return function()
  local req, res = http.request(), http.response()
  local id = req:param("id")
  local order = workflow.describe("order-" .. id)
  if not order then return reply(res, http.STATUS.NOT_FOUND, {error = "no order " .. id}) end
  reply(res, http.STATUS.OK, {
    id = id, status = order.status, result = order.result,
    error = order.error and order.error:message() or nil,
  })
end
