-- A charge is "failed" when its id was made for a declined card (the demo encodes it in the id).
return function(id) return type(id) == "string" and "settled" or "failed" end
