-- A city number said without its area code (234-56-78) is found through the last seven digits
-- of each stored phone; the same expression works on both backends. Kept in step with the
-- other backend's 0014.
CREATE INDEX customers_phone0_local ON customers (substr(phone0, length(phone0) - 6));
CREATE INDEX customers_phone1_local ON customers (substr(phone1, length(phone1) - 6));
CREATE INDEX customers_phone2_local ON customers (substr(phone2, length(phone2) - 6));
CREATE INDEX customers_phone3_local ON customers (substr(phone3, length(phone3) - 6));
CREATE INDEX customers_phone4_local ON customers (substr(phone4, length(phone4) - 6));
