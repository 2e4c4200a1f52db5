-- The order database (app:db, the SQLite file orders.db beside this registry). Each activity
-- owns one row, keyed by its activity id (ctx.get("activity_id"), the same across retries and
-- restarts): `orders` has one row per reserve, `charges` one per charge. The activity inserts its
-- row before it calls the payment API and fills in the API's answer after. An activity that runs
-- again (a crash or a retry before its result was recorded) inserts nothing new (INSERT ... ON
-- CONFLICT (activity_id) DO NOTHING) and fills in the same answer (the API's answer for the same
-- Idempotency-Key). order_id is deliberately not a key, so a changed activity id would show as a
-- second row for the order.
local sql = require("sql")

local SCHEMA = [[
CREATE TABLE IF NOT EXISTS orders (
  activity_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, amount REAL NOT NULL, item TEXT, reservation TEXT);
CREATE TABLE IF NOT EXISTS charges (
  activity_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, amount REAL NOT NULL, payment TEXT);
]]
local ready = false

-- fn(db) with the database (its tables made on first use in this Lua state): fn's results, or nil, err.
local function with_db(fn)
  local db, err = sql.get("app:db")
  if err then return nil, err end
  if not ready then
    local _, serr = db:execute(SCHEMA)
    if serr then db:release() return nil, serr end
    ready = true
  end
  local value, ferr = fn(db)
  db:release()
  return value, ferr
end

local function execute(text, params)
  return with_db(function(db) return db:execute(text, params) end)
end

local M = {}

-- The reserve activity's row, before the API call; reserved() fills in the reservation after.
function M.begin_order(activity_id, order)
  return execute("INSERT INTO orders (activity_id, order_id, amount, item) VALUES (?, ?, ?, ?)"
    .. " ON CONFLICT (activity_id) DO NOTHING", {activity_id, order.id, order.amount, order.item or sql.NULL})
end

function M.reserved(activity_id, reservation)
  return execute("UPDATE orders SET reservation = ? WHERE activity_id = ?", {reservation, activity_id})
end

-- The charge activity's row, before the API call; charged() fills in the payment after.
function M.begin_charge(activity_id, order)
  return execute("INSERT INTO charges (activity_id, order_id, amount) VALUES (?, ?, ?)"
    .. " ON CONFLICT (activity_id) DO NOTHING", {activity_id, order.id, order.amount})
end

function M.charged(activity_id, payment)
  return execute("UPDATE charges SET payment = ? WHERE activity_id = ?", {payment, activity_id})
end

-- What the database holds for an order: {reservation?, payment?}, or nil before its reserve began.
function M.read(order_id)
  return with_db(function(db)
    local o, err = db:query("SELECT reservation FROM orders WHERE order_id = ?", {order_id})
    if err then return nil, err end
    local c, cerr = db:query("SELECT payment FROM charges WHERE order_id = ?", {order_id})
    if cerr then return nil, cerr end
    if not o[1] then return nil end
    return {reservation = o[1].reservation, payment = c[1] and c[1].payment}
  end)
end

return M
