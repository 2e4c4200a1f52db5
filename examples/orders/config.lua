-- Where the activities find the payment API.
return {payment_url = "http://127.0.0.1:8092"}
