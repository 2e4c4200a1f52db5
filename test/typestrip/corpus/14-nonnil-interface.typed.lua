interface Shape
  function area(): number
  function scale(factor: number): Shape
  function each<T>(f: (T) -> ()): ()
  name: string
end
export interface Named: Shape, Other
  label?: string
end
local function maybe(x: number?): number? return x end
local v = maybe(4)!
local w = (maybe(5)! + 1) as number
local t = {n = maybe(6)!}
local chain = t.n!
return v .. "," .. w .. "," .. t.n .. "," .. chain
