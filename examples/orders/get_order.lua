-- GET /orders/{id}: the order workflow's state as committed (workflow.describe is wippy-ts's own).
local http = require("http")
local workflow = require("workflow")

return function()
  local req, res = http.request(), http.response()
  local id = req:param("id")
  local order = workflow.describe("order-" .. id)
  res:set_content_type(http.CONTENT.JSON)
  if not order then
    res:set_status(http.STATUS.NOT_FOUND)
    return res:write_json({error = "no order " .. id})
  end
  res:write_json({
    id = id, status = order.status, result = order.result,
    error = order.error and order.error:message() or nil,
  })
end
