-- Address search narrows the houses by number before matching the street (the typed house
-- "5" can only be house 5, 50–59, 500–599 …), instead of reading every house.
CREATE INDEX houses_number ON houses (number);
