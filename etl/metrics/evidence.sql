-- Evidence checks: where the survey contradicts a 4725 self-score. Grain: one row per school, school year
-- and criterion flagged. The survey of the school year is its end-of-year report (CN), or HK1 without it.

CREATE OR REPLACE VIEW evidence_flags AS
WITH year_survey AS (
    SELECT s.*, i.target_met, i.status AS informatics_status
    FROM survey s
    LEFT JOIN informatics_computers i USING (school_code, school_year, period)
    QUALIFY row_number() OVER (PARTITION BY s.school_code, s.school_year ORDER BY s.period = 'CN' DESC) = 1
),
checks AS (
    SELECT c.school_code, c.school_year, c.criterion, c.self_score, c.max_points,
           CASE
             WHEN c.criterion = '2.3.3' AND c.self_score >= c.max_points AND y.e_gradebook = false
               THEN 'Tự chấm đủ điểm sổ điểm điện tử và học bạ điện tử nhưng phiếu khảo sát ghi không dùng sổ điểm điện tử'
             WHEN c.criterion = '1.7.3' AND c.self_score > 0 AND y.has_studio = false
               THEN 'Tự chấm điểm phòng studio nhưng phiếu khảo sát ghi không có phòng studio'
             WHEN c.criterion = '2.4.3' AND c.self_score > 0 AND y.cashless_pct < cfg.cashless_low_pct
               THEN 'Tự chấm điểm thu không dùng tiền mặt nhưng tỷ lệ thu không dùng tiền mặt chỉ '
                    || CASE WHEN round(y.cashless_pct, 1) = round(y.cashless_pct) THEN round(y.cashless_pct)::BIGINT::VARCHAR
                            ELSE replace(round(y.cashless_pct, 1)::VARCHAR, '.', ',') END || '%'
             WHEN c.criterion = '1.7.2' AND c.self_score > 0 AND y.target_met = false
               THEN 'Tự chấm điểm đáp ứng dạy Tin học nhưng trường chưa đạt tỷ lệ học sinh/máy tính trong giờ học'
           END AS reason
    FROM criteria_scores c
    JOIN year_survey y USING (school_code, school_year)
    CROSS JOIN metric_settings cfg
)
SELECT * FROM checks WHERE reason IS NOT NULL;

-- Office tasks with what a reader needs on top of the sheet: overdue or not, as of today.
CREATE OR REPLACE VIEW office_tasks_status AS
SELECT *, (due < current_date AND coalesce(status_code, '') <> 'done') AS overdue
FROM office_tasks;
