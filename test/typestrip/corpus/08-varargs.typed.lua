local function sum(...: number): number
  local total: number = 0
  for _, v in ipairs({...}) do total = total + v end
  return total
end
local function fmt(pattern: string, ...: any): string
  return string.format(pattern, ...)
end
local function count(...): integer return select("#", ...) end
type Variadic = (string, ...any) -> ...string
local pack: (...any) -> {n: integer} = table.pack
local p = pack(1, nil, 3)
local anon = function(...: string?): ...string? return ... end
return sum(1, 2, 3) .. "|" .. fmt("%s-%d", "x", 4) .. "|" .. count(nil, nil) .. "|" .. p.n .. "|" .. anon("v")
