"""Console entry points (train, train_from_bag, folder_to_bag)."""
