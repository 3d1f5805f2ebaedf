print("fota")
