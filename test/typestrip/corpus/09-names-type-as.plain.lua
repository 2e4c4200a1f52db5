-- identifiers named type, as, export, interface, fun, typeof used as plain Lua names
local type_ = type
local as = 2
local t = {type = "kind", as = "alias", export = "ex", interface = "if"}
local export = {}
export.value = as * 3
local interface = {as = function(self, x) return x + as end}
as = as + 1
local function f(as, type)
  return type .. as
end
local r = {}
r[#r + 1] = type(42)
r[#r + 1] = t.type .. t.as .. t["export"] .. t.interface
r[#r + 1] = f(as, "n")
r[#r + 1] = tostring(export.value)
r[#r + 1] = interface:as(10)
r[#r + 1] = type_(as)
r[#r + 1] = type "str" .. type {}
local fun, typeof, keyof = 1, 2, 3
r[#r + 1] = fun + typeof + keyof
function t.type(x) return "m" .. x end
function t:as(y) return y * 2 end
r[#r + 1] = t.type(1) .. t:as(4) .. t.as(t, 5)
local function shadow()
  local type = 1
  type = type + 1
  export.type = type
  return type
end
r[#r + 1] = shadow() .. export.type
interface.y = as
export = {as = as}
r[#r + 1] = interface.y .. export.as
do
  local hits = 0
  local function as(n) hits = hits + (type_(n) == "table" and #n or tonumber(n)) end
  local z = hits
  as(5)
  z = hits
  as{1, 2}
  z = hits
  as"3"
  r[#r + 1] = "hits" .. hits .. z
end
return table.concat(r, ",")
