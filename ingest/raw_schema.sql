-- The raw layer pingan writes and dbt reads as sources. One row per thing received; nothing is updated
-- in place except a submission's arrival when the office states it (the ledger keeps the statement). The archive ledger (archive/ledger.jsonl) and
-- the archived files are the source of truth: `pingan rebuild` recreates every table here from them.
create schema if not exists raw;

-- One row per distinct file content received (sha256), monthly reports and targets workbooks alike.
create table if not exists raw.submissions (
    sha256 varchar primary key,
    kind varchar not null,            -- 'monthly_report' | 'targets'
    file_name varchar not null,       -- name as received
    archive_path varchar not null,    -- relative to the home folder
    size_bytes bigint not null,
    received_at timestamp not null,   -- when it arrived (ingest.receipts), Asia/Shanghai wall clock
    ingested_at timestamp not null,
    filed_under varchar,              -- unit code of the inbox sub-folder it came from, null at top level
    unit_code varchar,                -- resolved unit, null for targets or when unreadable
    period varchar,                   -- 'YYYY-MM' for monthly reports, 'YYYY' for targets
    version integer,                  -- 1.. per (kind, unit_code, period) in order received
    status varchar not null,          -- 'accepted' | 'accepted_with_warnings' | 'rejected'
    error_count integer not null,
    warning_count integer not null,
    reporter varchar,
    phone varchar,
    reviewer varchar,
    fill_date varchar
);

-- One row per indicator row read from 指标填报. value null = not reported (never zero).
create table if not exists raw.indicator_values (
    sha256 varchar not null,
    indicator_code varchar not null,
    value double,
    value_last_year double,
    remark varchar,
    cell varchar,                     -- address of the 本期数 cell in the county's workbook, e.g. 'D17'
    last_year_cell varchar,
    raw_value varchar                 -- the cell as typed, for the feedback and audit
);

-- One row per township row read from 乡镇明细 (合计 rows dropped).
create table if not exists raw.township_values (
    sha256 varchar not null,
    row_number integer not null,      -- worksheet row
    township_name varchar not null,
    d02 double,
    d03 double,
    has_centre boolean,
    p02 double,
    c01 double,
    g03 double
);

-- One row per validation finding, rejected files included.
create table if not exists raw.findings (
    sha256 varchar not null,
    rule_id varchar not null,
    severity varchar not null,        -- 'error' | 'warning'
    sheet varchar,
    cell varchar,
    field varchar,
    value varchar,
    message varchar not null,         -- Chinese, for the county
    hint varchar
);

-- One row per target line of a targets workbook (目标管理责任书).
create table if not exists raw.targets (
    sha256 varchar not null,
    year integer not null,
    unit_code varchar not null,
    indicator_code varchar not null,
    target_type varchar not null,     -- a code of target_types.csv (the reader maps a label to it)
    target_value double not null,     -- rates as fractions (0.95), growth as a fraction, ranks as places
    points double not null,
    is_veto boolean not null,
    note varchar,
    cell varchar
);
