return function(request) return { notified = request.order_id } end
