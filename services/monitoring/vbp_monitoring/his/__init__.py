"""MON-11 HIS uploads and off-platform buying (seeds 000/002/004 不得线下采购, 通过招采系统进行
交易; 001 按时上传采购和使用数据; 004 采购数据和使用数据互通; 003/004 按含伴随服务的中选价格零差率收费).

**Uploads.** A hospital's HIS sends the rows of the national interfaces 3501–3506 as it sends
them to the national platform (:mod:`vbp_monitoring.his.national`), and deletes with 3507.
A row is keyed by (hospital, data type, ``fixmedins_bchno``) as nationally: the same key with
the same content again is a replay (``unchanged``); with other content it is refused (409)
until the hospital deletes the key (3507) and sends it anew. 3507's ``inv_data_type`` 3 deletes
a batch's purchase and purchase return, 4 its sale and sale return.

**Mapping.** A row's ``med_list_codg`` names a catalog product through a mapping an admin or
insurer set (with how many HIS units make one catalog unit), else through the product the
catalog gave that national insurance code (CAT-11), one HIS unit per catalog unit, among the
products whose batch is in force in the row's month — none, or more than one, and the code is
unmapped: stored, listed (``/his/unmapped``), never refused.

**Reconciliation**, per hospital × winning product × month M (Beijing months):

- HIS net = purchases (3503) − purchase returns (3504) stocked in in M, in catalog units;
- platform net = accepted lines − returns dated in M (the AcceptedLines projection);
- the gap a month's end puts between stock-in and acceptance: a HIS surplus of M stocked in
  in M's last ``his_match_window_days`` (batch policy, default 7) is matched by acceptances of
  the first days of M+1 that M+1's own HIS purchases leave over, and one stocked in in M's
  first days by acceptances of M−1's last days that M−1 leaves over. Each neighbour's spare is
  judged on its own, so a month's spare may answer both its neighbours: the window can only
  lower a finding, never make one;
- off-platform = max(0, HIS net − platform net − matched across the month's end), with its
  explain. A platform surplus (accepted, not yet stocked in) is shown, never an alert.

**Alerts**, once per month, by the alert check, after M's upload was due (the batch policy's
``his_upload_due_day`` of M+1, default the 10th) and M+1's window has passed:

- ``off_platform``: off-platform above ``off_platform_alert_share`` (default 0.05) of HIS net;
- ``his_price``: a HIS purchase price per catalog unit above the agreed price (seeds 002/003:
  不得再次议价) — the highest price the hospital's agreements give the product;
- ``charge_mismatch``: a public hospital sold a winning consumable to patients (3505) at a
  price per catalog unit other than the with-service winning price (seeds 003/004: 按含伴随服务
  的中选价格零差率收费) — the price in force when the check runs;
- ``his_upload_missing``: a hospital with effective agreements in force in M sent no row dated
  in M; resolved when one arrives.

A supplier named on a purchase other than the designated distributor of the hospital's
agreement (by registered name) is shown in the row, not alerted: a manufacturer may deliver
itself, and names are written freely in HIS.

Each month reconciled is announced per hospital (``monitoring.his.reconciled``); the figures
are computed from the stored rows and the accepted-lines projection whenever they are read, so
a replay of the topics rebuilds them. A read is a page of whole hospitals, reconciled a round
of hospitals at a time with queries that name them (a province's month is 400,000 rows: no
answer holds it whole, and a region's page costs that region's rows, not the province's); a
download takes every row up to the download maximum.
"""
