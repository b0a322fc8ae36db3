module example.invalid/burn

go 1.19
