return function(order_id) return { fulfilled = order_id } end
