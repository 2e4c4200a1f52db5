local function identity(x)
  return x
end



local function greet(obj)
  return "Hello, " .. obj.name
end

local function map(xs, f)
  local out = {}
  for i, v in ipairs(xs) do out[i] = f(v) end
  return out
end

local Stack = {}
Stack.__index = Stack

function Stack.new()
  return setmetatable({items = {}}, Stack)
end

function Stack:push(v)
  self.items[#self.items + 1] = v
end

local nested = {}
local cmp = {3}   -- the '>=' token must be split
local deep = {}
local pick = function(t, k) return t[k] end
local packed = {}

local s = Stack.new()
s:push(1); s:push(2)
local doubled = map({1, 2, 3}, function(v) return v * 2 end)
return table.concat({identity(42), identity("id"), greet({name = "Alice"}), #s.items,
  table.concat(doubled, " "), #nested, cmp[1], pick({a = 9}, "a"), #deep, #packed}, ",")
