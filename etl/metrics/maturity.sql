-- QĐ 4725 maturity (DOMAIN §6). Grain of criteria_scores: one row per assessed school, school year and
-- criterion of the catalogue; of maturity_4725: one row per assessed school and school year.
-- A school-year is "verified" when the office entered any verified score for it; then verified scores
-- are the official ones (a criterion the office left empty counts as 0 / not met), else self scores.

CREATE OR REPLACE VIEW criteria_scores AS
WITH assessed AS (
    SELECT school_code, school_year,
           bool_or(kind = 'verified') AS verified,
           bool_or(kind = 'self') AS self_assessed
    FROM assessment_scores
    GROUP BY ALL
)
SELECT a.school_code, a.school_year, c.code AS criterion, c."group" AS criterion_group, c.parent, c.name_vi,
       c.mandatory, c.max_points,
       s.self_score, s.verified_score, s.self_met, s.verified_met,
       CASE WHEN a.verified THEN coalesce(s.verified_score, 0) ELSE coalesce(s.self_score, 0) END AS score,
       CASE WHEN a.verified THEN coalesce(s.verified_met, false) ELSE coalesce(s.self_met, false) END AS met,
       CASE WHEN c.mandatory THEN NULL
            ELSE (CASE WHEN a.verified THEN coalesce(s.verified_score, 0) ELSE coalesce(s.self_score, 0) END)
                 / nullif(c.max_points, 0) END AS share_of_max,
       CASE WHEN c.mandatory THEN NULL
            ELSE c.max_points - CASE WHEN a.verified THEN coalesce(s.verified_score, 0)
                                     ELSE coalesce(s.self_score, 0) END END AS lost_points,
       s.self_score - s.verified_score AS gap,
       CASE WHEN a.verified THEN 'verified' ELSE 'self' END AS basis
FROM assessed a
CROSS JOIN ref_criteria_4725 c
LEFT JOIN assessment_4725 s ON s.school_code = a.school_code AND s.school_year = a.school_year
     AND s.criterion = c.code;

-- "Đạt Mức 2 trở lên" (the plan's basic level), defined once: the view's level2_plus and every count of the
-- dashboard use it (a macro, so a warehouse written before it existed gets it when opened: etl.warehouse).
CREATE OR REPLACE MACRO reaches_level2(level) AS level >= 2;

CREATE OR REPLACE VIEW maturity_4725 AS
WITH groups AS (
    SELECT school_code, school_year, any_value(basis) AS basis,
           sum(score) FILTER (criterion_group = '1') AS g1_score,
           sum(score) FILTER (criterion_group = '2') AS g2_score,
           sum(coalesce(self_score, 0)) FILTER (criterion_group = '1') AS g1_self,
           sum(coalesce(self_score, 0)) FILTER (criterion_group = '2') AS g2_self,
           sum(verified_score) FILTER (criterion_group = '1') AS g1_verified,
           sum(verified_score) FILTER (criterion_group = '2') AS g2_verified,
           bool_and(met) FILTER (criterion_group = '1' AND mandatory) AS g1_mandatory_met,
           bool_and(met) FILTER (criterion_group = '2' AND mandatory) AS g2_mandatory_met,
           count(self_score) + count(self_met) AS self_criteria
    FROM criteria_scores
    GROUP BY ALL
),
maxima AS (
    SELECT sum(max_points) FILTER ("group" = '1') AS g1_max, sum(max_points) FILTER ("group" = '2') AS g2_max
    FROM ref_criteria_4725
),
levels AS (
    SELECT g.*, m.g1_max, m.g2_max,
           CASE WHEN g1_score < cfg.level2_min_score THEN 1 WHEN g1_score <= cfg.level3_above_score THEN 2 ELSE 3 END
               AS g1_level_by_score,
           CASE WHEN g2_score < cfg.level2_min_score THEN 1 WHEN g2_score <= cfg.level3_above_score THEN 2 ELSE 3 END
               AS g2_level_by_score,
           cfg.mandatory_rule
    FROM groups g CROSS JOIN maxima m CROSS JOIN metric_settings cfg
),
result AS (
SELECT school_code, school_year, basis,
       g1_score, g2_score, g1_max, g2_max,
       g1_mandatory_met, g2_mandatory_met,
       g1_level_by_score, g2_level_by_score,
       CASE WHEN mandatory_rule AND NOT g1_mandatory_met THEN 1 ELSE g1_level_by_score END AS g1_level,
       CASE WHEN mandatory_rule AND NOT g2_mandatory_met THEN 1 ELSE g2_level_by_score END AS g2_level,
       least(CASE WHEN mandatory_rule AND NOT g1_mandatory_met THEN 1 ELSE g1_level_by_score END,
             CASE WHEN mandatory_rule AND NOT g2_mandatory_met THEN 1 ELSE g2_level_by_score END) AS overall_level,
       g1_self, g2_self, g1_verified, g2_verified,
       g1_self - g1_verified AS g1_gap, g2_self - g2_verified AS g2_gap,
       self_criteria > 0 AS self_assessed,
       (g1_max <> 100 OR g2_max <> 100) AS catalogue_warning,
       (SELECT value FROM meta WHERE key = 'version_criteria_4725') AS catalogue_version
FROM levels
)
SELECT *, reaches_level2(overall_level) AS level2_plus FROM result;
