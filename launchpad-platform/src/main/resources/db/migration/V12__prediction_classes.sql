-- How many class probabilities the model gave with a prediction (null: none, or rows logged before this column):
-- a window in which a three-class model predicted only classes 0 and 1 is not a binary model's window.
ALTER TABLE monitor_predictions ADD COLUMN classes INTEGER;
