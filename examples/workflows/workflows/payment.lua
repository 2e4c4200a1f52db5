local funcs = require("funcs")
local time = require("time")

local function main(payment)
  local result = funcs.call("app.api:charge_card", payment)
  time.sleep("24h")
  local status = funcs.call("app.api:check_status", result.id)

  if status == "failed" then
      funcs.call("app.api:refund", result.id)
  end

  return { charge = result.id, status = status }
end

return { main = main }
