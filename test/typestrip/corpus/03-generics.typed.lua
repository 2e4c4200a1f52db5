local function identity<T>(x: T): T
  return x
end

type HasName = {name: string}

local function greet<T: HasName>(obj: T): string
  return "Hello, " .. obj.name
end

local function map<T, U>(xs: {T}, f: (T) -> U): {U}
  local out: {U} = {}
  for i, v in ipairs(xs) do out[i] = f(v) end
  return out
end

local Stack = {}
Stack.__index = Stack

function Stack.new<T>(): Stack<T>
  return setmetatable({items = {}}, Stack)
end

function Stack:push<T>(v: T): ()
  self.items[#self.items + 1] = v
end

local nested: Array<Map<string, Array<number>>> = {}
local cmp: Array<number>= {3}   -- the '>=' token must be split
local deep: A<B<C<D>>>= {}
local pick = function<K, V = any>(t: {[K]: V}, k: K): V? return t[k] end
local packed: Pack<...any> = {}

local s = Stack.new()
s:push(1); s:push(2)
local doubled = map({1, 2, 3}, function(v: number): number return v * 2 end)
return table.concat({identity(42), identity("id"), greet({name = "Alice"}), #s.items,
  table.concat(doubled, " "), #nested, cmp[1], pick({a = 9}, "a"), #deep, #packed}, ",")
