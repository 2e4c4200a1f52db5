-- parameters and locals with annotations
local function add(a, b)
  return a + b
end

local function greet(name, opts)
  local msg = "hello " .. name
  if opts and opts.shout then msg = msg:upper() end
  return msg
end

local count = 0
local x, y = 1.5, 2.5
local label -- no value
local items = {"a", "b", "c"}
local map = {one = 1, two = 2}
local a=1 local b="s"
for _, it in ipairs(items) do count = count + #it end

return table.concat({
  tostring(add(2, 3)),
  greet("bob"),
  greet("amy", {shout = true}),
  tostring(count),
  tostring(x + y),
  tostring(label),
  tostring(map.one + map.two),
  a .. b,
}, "|")
