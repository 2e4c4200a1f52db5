-- greet(name): calls app:shout through funcs.call and returns a table.
local funcs = require("funcs")

local function main(name)
  local loud, err = funcs.call("app:shout", name or "world")
  if err then
    return nil, errors.wrap(err, "shout failed")
  end
  return { greeting = "hello, " .. loud, length = #loud }
end

return { main = main }
