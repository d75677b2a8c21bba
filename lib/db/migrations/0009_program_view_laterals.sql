-- program_users is rebuilt with lateral joins: each part computed once per row, and a category looked up only for users
-- without an override, so "first N users by name" need not evaluate everyone. Its live definition is in
-- 0011_inventory_flag_evidence.sql, which every database that runs this migration also runs; it is not repeated here.
-- (A database that applied this file when it still held a copy of the view keeps that copy until 0010 drops it.)
DROP VIEW "program_users";
