"""Plans, split by job: import the module that does the job you need.

- `lookup`        a plan the actor may act on (`get_plan`), its head and baseline versions,
                  its coaches
- `creation`      `generate_plan`: the generator's document becomes version 1
- `edits`         `create_edited_version`: a JSON Patch or whole document on the head
                  becomes version n+1 (the API's PATCH)
- `unsaved_edits` the editor's id-addressed edits: `compile_edits`, `preview_edits`,
                  `save_draft` (through `edits`), `restore_unsaved_edits`
- `transitions`   `submit_for_approval`, `record_decision` (the athlete's, or an override)
- `listing`       `list_plans` with filters and cursors, `open_comment_counts`
- `lifecycle`     `advance_lifecycle`: publish started plans, complete ended ones

Storing a version is `versions.prepare_version` (worked out, no database) then
`versions.insert_version` (written); every write follows spec §2.4 inside the caller's
transaction: RBAC → version and changes → audit event → outbox event (and notifications).
"""
