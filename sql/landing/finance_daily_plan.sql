-- Finance inputs per day (from the ERP or a planning sheet): budget, target, cash and fixed costs.
CREATE TABLE IF NOT EXISTS finance.daily_plan (
    date DATE NOT NULL PRIMARY KEY,
    marketing_budget DOUBLE NOT NULL,
    revenue_target DOUBLE NOT NULL,
    operating_cash_flow DOUBLE NOT NULL,
    fixed_costs DOUBLE NOT NULL
);
