local function sum(...)
  local total = 0
  for _, v in ipairs({...}) do total = total + v end
  return total
end
local function fmt(pattern, ...)
  return string.format(pattern, ...)
end
local function count(...) return select("#", ...) end

local pack = table.pack
local p = pack(1, nil, 3)
local anon = function(...) return ... end
return sum(1, 2, 3) .. "|" .. fmt("%s-%d", "x", 4) .. "|" .. count(nil, nil) .. "|" .. p.n .. "|" .. anon("v")
