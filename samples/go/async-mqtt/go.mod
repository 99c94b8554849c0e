module example.com/asyncmqtt

go 1.26
