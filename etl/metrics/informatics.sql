-- Computers for teaching Informatics (DOMAIN §7). Grain of informatics_computers: one row per school,
-- school year and period that reported. The limit is on pupils sharing a computer during a lesson.

CREATE OR REPLACE VIEW informatics_computers AS
WITH base AS (
    SELECT s.school_code, s.school_year, s.period, r.level, r.ownership, r.ward_old, r.ward_new,
           s.students, s.it_students, s.it_classes, s.it_rooms, s.it_computers,
           CASE r.level WHEN 'TH' THEN cfg.computer_target_TH WHEN 'THCS' THEN cfg.computer_target_THCS
                        WHEN 'TH_THCS' THEN cfg.computer_target_TH_THCS END AS target,
           s.it_students::DOUBLE / nullif(s.it_classes, 0) AS class_size,
           s.it_computers::DOUBLE / nullif(s.it_rooms, 0) AS computers_per_room
    FROM survey s JOIN schools r USING (school_code) CROSS JOIN metric_settings cfg
),
flagged AS (
    SELECT *,
           class_size / nullif(computers_per_room, 0) AS pupils_per_computer,
           target IS NOT NULL AND (it_students IS NULL OR it_classes IS NULL OR it_rooms IS NULL
                                   OR it_computers IS NULL) AS missing_data,
           coalesce(it_students, 0) > 0 AND it_rooms = 0 AS no_room,
           coalesce(it_rooms, 0) > 0 AND it_computers = 0 AS room_without_computers
    FROM base
)
SELECT school_code, school_year, period, level, ownership, ward_old, ward_new,
       students, it_students, it_classes, it_rooms, it_computers,
       class_size, computers_per_room, pupils_per_computer, target,
       CASE WHEN target IS NULL OR missing_data OR coalesce(it_students, 0) = 0 THEN NULL
            WHEN no_room OR room_without_computers THEN false
            ELSE pupils_per_computer <= target END AS target_met,
       CASE WHEN target IS NULL OR missing_data OR coalesce(it_students, 0) = 0 THEN NULL
            WHEN no_room THEN ceil(class_size / target)::BIGINT
            ELSE greatest(0, it_rooms * ceil(class_size / target) - it_computers)::BIGINT END AS computers_needed,
       students::DOUBLE / nullif(it_computers, 0) AS school_pupils_per_computer,
       no_room, room_without_computers, missing_data,
       CASE WHEN target IS NULL THEN 'not_applicable'
            WHEN missing_data THEN 'missing_data'
            WHEN coalesce(it_students, 0) = 0 THEN 'no_it_pupils'
            WHEN no_room THEN 'no_room'
            WHEN room_without_computers OR pupils_per_computer > target THEN 'not_met'
            ELSE 'met' END AS status
FROM flagged;

-- Totals by level and ward (former unit and new ward); `breakdown` names the grouping of a row.
-- Pupils per computer across a group of schools (Σ students / Σ computers of the Informatics rooms): one
-- definition for the view below and for any filter of schools the dashboard asks about.
CREATE OR REPLACE MACRO group_pupils_per_computer(students, computers) AS
    sum(students)::DOUBLE / nullif(sum(computers), 0);

CREATE OR REPLACE VIEW informatics_totals AS
SELECT school_year, period,
       CASE WHEN grouping(level) = 0 AND grouping(ward_new) = 0 THEN 'level_ward_new'
            WHEN grouping(level) = 0 THEN 'level' WHEN grouping(ward_new) = 0 THEN 'ward_new'
            WHEN grouping(ward_old) = 0 THEN 'ward_old' ELSE 'all' END AS breakdown,
       level, ward_new, ward_old,
       count(*) AS schools,
       count(*) FILTER (target_met) AS schools_met,
       count(*) FILTER (NOT target_met) AS schools_not_met,
       count(*) FILTER (no_room) AS schools_no_room,
       count(*) FILTER (missing_data) AS schools_missing_data,
       sum(it_computers) AS computers,
       sum(computers_needed) AS computers_needed,
       group_pupils_per_computer(students, it_computers) AS school_pupils_per_computer
FROM informatics_computers
WHERE target IS NOT NULL
GROUP BY GROUPING SETS ((school_year, period), (school_year, period, level), (school_year, period, ward_new),
                        (school_year, period, ward_old), (school_year, period, level, ward_new));
