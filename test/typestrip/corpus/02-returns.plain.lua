local function divmod(a, b)
  return a // b, a % b
end

local function find(t, v)
  for i = 1, #t do
    if t[i] == v then return i, nil end
  end
  return nil, "not found"
end

local function pair()
  return 7, "seven"
end

local function nothing()
end

local function fetch(url)
  return "body of " .. url, nil
end

local noop = function() end
local calls = 0
local function g()
  (noop)()
  calls = calls + 1
  return calls
end
local h
(noop)()

local q, r = divmod(17, 5)
local i, err = find({"x", "y"}, "y")
local j, err2 = find({"x"}, "z")
local n, s = pair()
return table.concat({q, r, i, tostring(err), tostring(j), err2, n, s,
  select("#", nothing()), (fetch("u")), g(), tostring(h)}, ",")
