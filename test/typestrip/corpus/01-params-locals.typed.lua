-- parameters and locals with annotations
local function add(a: number, b: number): number
  return a + b
end

local function greet(name: string, opts: {shout: boolean?}?): string
  local msg: string = "hello " .. name
  if opts and opts.shout then msg = msg:upper() end
  return msg
end

local count: integer = 0
local x: number, y: number = 1.5, 2.5
local label: string? -- no value
local items: {string} = {"a", "b", "c"}
local map: {[string]: number} = {one = 1, two = 2}
local a:number=1 local b:string="s"
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
