local function divmod(a: integer, b: integer): (integer, integer)
  return a // b, a % b
end

local function find(t: {string}, v: string): (integer?, string?)
  for i = 1, #t do
    if t[i] == v then return i, nil end
  end
  return nil, "not found"
end

local function pair(): number, string
  return 7, "seven"
end

local function nothing(): ()
end

local function fetch(url: string): (string?, error?)
  return "body of " .. url, nil
end

local noop = function(): () end
local calls = 0
local function g(): number
  (noop)()
  calls = calls + 1
  return calls
end
local h: number
(noop)()

local q, r = divmod(17, 5)
local i, err = find({"x", "y"}, "y")
local j, err2 = find({"x"}, "z")
local n, s = pair()
return table.concat({q, r, i, tostring(err), tostring(j), err2, n, s,
  select("#", nothing()), (fetch("u")), g(), tostring(h)}, ",")
