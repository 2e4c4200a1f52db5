-- GET /orders/{id}: the order workflow's state as committed (workflow.describe is wippy-ts's own)
-- and what its activities wrote to the database (`stored`: reservation, payment).
local http = require("http")
local workflow = require("workflow")
local reply = require("reply")
local orders_db = require("orders_db")

return function()
  local req, res = http.request(), http.response()
  local id = req:param("id")
  local order = workflow.describe("order-" .. id)
  if not order then return reply(res, http.STATUS.NOT_FOUND, {error = "no order " .. id}) end
  local stored, err = orders_db.read(id)
  if err then return nil, err end -- a 500, logged
  reply(res, http.STATUS.OK, {
    id = id, status = order.status, result = order.result,
    error = order.error and order.error:message() or nil,
    stored = stored,
  })
end
