from django.contrib.auth import views as auth_views
from django.urls import include, path

from headway.web.views import (
    auth,
    goals,
    goals_checkin,
    goals_edit,
    goals_edit_key_results,
    goals_edit_links,
    organisation,
    strategy,
    teams,
)

account_patterns = [
    path("login/", auth.LoginPage.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.html"),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="email/password_reset.txt",
            html_email_template_name="email/password_reset.html",
            subject_template_name="email/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_done.html"
        ),
        name="password_reset_complete",
    ),
    path("invitations/<str:token>/", auth.invitation_accept, name="invitation-accept"),
    path("switch/", auth.switch, name="switch"),
]

goals_patterns = [
    path("check-in/", goals_checkin.checkin_mine, name="checkin"),
    path("teams/<slug:slug>/check-in/", goals_checkin.checkin_team, name="team-checkin"),
    path("objectives/new/", goals_edit.objective_new, name="objective-new"),
    path("objectives/<int:objective_id>/", goals.objective_detail, name="objective-detail"),
    path("objectives/<int:objective_id>/edit/", goals_edit.objective_edit, name="objective-edit"),
    path(
        "objectives/<int:objective_id>/delete/",
        goals_edit.objective_delete,
        name="objective-delete",
    ),
    path(
        "objectives/<int:objective_id>/key-results/new/",
        goals_edit_key_results.key_result_new,
        name="key-result-new",
    ),
    path(
        "key-results/<int:key_result_id>/edit/",
        goals_edit_key_results.key_result_edit,
        name="key-result-edit",
    ),
    path(
        "key-results/<int:key_result_id>/delete/",
        goals_edit_key_results.key_result_delete,
        name="key-result-delete",
    ),
    path(
        "objectives/<int:objective_id>/initiatives/new/",
        goals_edit_links.initiative_new,
        name="initiative-new",
    ),
    path(
        "initiatives/<int:initiative_id>/edit/",
        goals_edit_links.initiative_edit,
        name="initiative-edit",
    ),
    path(
        "initiatives/<int:initiative_id>/delete/",
        goals_edit_links.initiative_delete,
        name="initiative-delete",
    ),
    path(
        "objectives/<int:objective_id>/alignment/new/",
        goals_edit_links.alignment_new,
        name="alignment-new",
    ),
    path(
        "alignment/<int:link_id>/delete/",
        goals_edit_links.alignment_delete,
        name="alignment-delete",
    ),
]

org_patterns = [
    path("", goals.my_work, name="org-home"),
    path("settings/", organisation.org_settings, name="org-settings"),
    path("people/", organisation.people, name="people"),
    path("people/invite/", organisation.invitation_create, name="invitation-create"),
    path(
        "people/invitations/<int:invitation_id>/revoke/",
        organisation.invitation_revoke,
        name="invitation-revoke",
    ),
    path("people/<int:membership_id>/role/", organisation.member_role, name="member-role"),
    path("people/<int:membership_id>/remove/", organisation.member_remove, name="member-remove"),
    path("tokens/", organisation.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", organisation.token_revoke, name="token-revoke"),
    path("teams/", teams.team_tree, name="team-tree"),
    path("teams/<slug:slug>/", teams.team_detail, name="team-detail"),
    path("teams/<slug:slug>/children/", teams.team_children, name="team-children"),
    path("teams/<slug:slug>/edit/", teams.team_edit, name="team-edit"),
    path("teams/<slug:slug>/move/", teams.team_move, name="team-move"),
    path("teams/<slug:slug>/delete/", teams.team_delete, name="team-delete"),
    path("teams/<slug:slug>/members/", teams.team_member_add, name="team-member-add"),
    path(
        "teams/<slug:slug>/members/<int:user_id>/remove/",
        teams.team_member_remove,
        name="team-member-remove",
    ),
    path("cycles/", strategy.cycles, name="cycles"),
    path("cycles/year/", strategy.cycle_year, name="cycle-year"),
    path("cycles/<int:cycle_id>/", strategy.cycle_edit, name="cycle-edit"),
    path("cycles/<int:cycle_id>/delete/", strategy.cycle_delete, name="cycle-delete"),
    path("strategy/", strategy.strategy, name="strategy"),
    path("strategy/themes/<int:theme_id>/archive/", strategy.theme_archive, name="theme-archive"),
    *goals_patterns,
]

urlpatterns = [
    path("", auth.home, name="home"),
    *account_patterns,
    path("o/<slug:org>/", include(org_patterns)),
]

# Alignment: the map, its branches and alignment health.
from headway.web.views import goals_alignment as alignment  # noqa: E402

alignment_patterns = [
    path("alignment/", alignment.alignment_map_page, name="alignment-map"),
    path("alignment/health/", alignment.alignment_health_page, name="alignment-health"),
    path(
        "alignment/health/wording/",
        alignment.alignment_health_wording,
        name="alignment-health-wording",
    ),
    path(
        "alignment/objectives/<int:objective_id>/",
        alignment.alignment_children,
        name="alignment-children",
    ),
]
urlpatterns += [path("o/<slug:org>/", include(alignment_patterns))]

# Coach: the organisation summary, one objective's notes, live hints for the forms.
from headway.web.views import coach  # noqa: E402

coach_patterns = [
    path("coach/", coach.coach_summary_page, name="coach-summary"),
    path(
        "coach/objectives/<int:objective_id>/",
        coach.coach_objective_page,
        name="coach-objective",
    ),
    path("coach/hints/", coach.coach_hints, name="coach-hints"),
]
urlpatterns += [path("o/<slug:org>/", include(coach_patterns))]

# Course correction: record a pivot, adjust a target, the learning logs.
from headway.web.views import learning  # noqa: E402

learning_patterns = [
    path("key-results/<int:key_result_id>/pivot/", learning.pivot_new, name="pivot-new"),
    path("key-results/<int:key_result_id>/target/", learning.target_change, name="target-change"),
    path("learning/", learning.learning_organisation, name="learning-log"),
    path("teams/<slug:slug>/learning/", learning.learning_team, name="learning-team"),
]
urlpatterns += [path("o/<slug:org>/", include(learning_patterns))]

# Cycle close: the close review with scores and retrospectives, closing, carry-over.
from headway.web.views import closing  # noqa: E402

closing_patterns = [
    path("cycles/<int:cycle_id>/close/", closing.cycle_close_page, name="cycle-close"),
    path(
        "cycles/<int:cycle_id>/close/confirm/",
        closing.cycle_close_confirm,
        name="cycle-close-confirm",
    ),
    path("cycles/<int:cycle_id>/reopen/", closing.cycle_reopen, name="cycle-reopen"),
    path(
        "key-results/<int:key_result_id>/score/", closing.key_result_score, name="key-result-score"
    ),
    path("objectives/<int:objective_id>/score/", closing.objective_score, name="objective-score"),
    path(
        "objectives/<int:objective_id>/retrospective/",
        closing.objective_retrospective,
        name="objective-retrospective",
    ),
    path(
        "objectives/<int:objective_id>/carry-over/",
        closing.objective_carry_over,
        name="objective-carry-over",
    ),
]
urlpatterns += [path("o/<slug:org>/", include(closing_patterns))]

# Needs attention: open flags of the organisation or a team, with the next steps.
from headway.web.views import attention  # noqa: E402

attention_patterns = [
    path("attention/", attention.attention_organisation, name="attention"),
    path("attention/refresh/", attention.attention_refresh, name="attention-refresh"),
    path(
        "attention/flags/<int:flag_id>/check-in/",
        attention.attention_checkin,
        name="attention-checkin",
    ),
    path("teams/<slug:slug>/attention/", attention.attention_team, name="team-attention"),
    path(
        "teams/<slug:slug>/attention/refresh/",
        attention.attention_team_refresh,
        name="team-attention-refresh",
    ),
]
urlpatterns += [path("o/<slug:org>/", include(attention_patterns))]

# Honest confidence: a closed cycle's calibration, as each member may see it.
from headway.web.views import calibration  # noqa: E402

calibration_patterns = [
    path(
        "cycles/<int:cycle_id>/confidence/",
        calibration.cycle_confidence,
        name="cycle-confidence",
    ),
]
urlpatterns += [path("o/<slug:org>/", include(calibration_patterns))]

# Purpose surveys: the organisation's side, and the public link that needs no account.
from headway.web.views import survey, survey_public, survey_report  # noqa: E402

survey_patterns = [
    path("surveys/", survey.surveys_page, name="surveys"),
    path("surveys/new/", survey.survey_new, name="survey-new"),
    path("surveys/<int:survey_id>/", survey.survey_detail, name="survey-detail"),
    path("surveys/<int:survey_id>/edit/", survey.survey_edit, name="survey-edit"),
    path("surveys/<int:survey_id>/close/", survey.survey_close, name="survey-close"),
    path("surveys/<int:survey_id>/link/", survey.survey_link_regenerate, name="survey-link"),
    path("surveys/<int:survey_id>/report/", survey_report.survey_report_page, name="survey-report"),
    path("surveys/<int:survey_id>/report.csv", survey_report.survey_report_csv, name="survey-csv"),
    path(
        "surveys/<int:survey_id>/analyse/", survey_report.survey_analyse_now, name="survey-analyse"
    ),
    path("surveys/<int:survey_id>/compare/", survey_report.survey_compare, name="survey-compare"),
]
urlpatterns += [
    path("o/<slug:org>/", include(survey_patterns)),
    path("s/<str:token>/", survey_public.survey_answer, name="survey-answer"),
]

# Discovery: the record of the organisation or a team, its ladder and its leaders.
from headway.web.views import discovery  # noqa: E402

discovery_patterns = [
    path("discovery/", discovery.discovery_organisation, name="discovery"),
    path("discovery/followups/", discovery.discovery_followup, name="discovery-followup"),
    path("discovery/leaders/", discovery.discovery_leader_add, name="discovery-leader-add"),
    path(
        "discovery/leaders/<int:leader_id>/remove/",
        discovery.discovery_leader_remove,
        name="discovery-leader-remove",
    ),
    path("teams/<slug:slug>/discovery/", discovery.discovery_team, name="team-discovery"),
    path(
        "teams/<slug:slug>/discovery/followups/",
        discovery.discovery_followup,
        name="team-discovery-followup",
    ),
    path(
        "teams/<slug:slug>/discovery/leaders/",
        discovery.discovery_leader_add,
        name="team-discovery-leader-add",
    ),
]
urlpatterns += [path("o/<slug:org>/", include(discovery_patterns))]

# Rollout: plans, their phases as a timeline with readiness, pilot suggestions.
from headway.web.views import rollout  # noqa: E402

rollout_patterns = [
    path("rollout/", rollout.rollout_plans, name="rollout"),
    path("rollout/new/", rollout.rollout_plan_new, name="rollout-plan-new"),
    path("rollout/<int:plan_id>/", rollout.rollout_plan, name="rollout-plan"),
    path("rollout/<int:plan_id>/edit/", rollout.rollout_plan_edit, name="rollout-plan-edit"),
    path("rollout/<int:plan_id>/delete/", rollout.rollout_plan_delete, name="rollout-plan-delete"),
    path("rollout/<int:plan_id>/phases/new/", rollout.rollout_phase_new, name="rollout-phase-new"),
    path(
        "rollout/phases/<int:phase_id>/edit/", rollout.rollout_phase_edit, name="rollout-phase-edit"
    ),
    path(
        "rollout/phases/<int:phase_id>/delete/",
        rollout.rollout_phase_delete,
        name="rollout-phase-delete",
    ),
    path(
        "rollout/phases/<int:phase_id>/move/", rollout.rollout_phase_move, name="rollout-phase-move"
    ),
]
urlpatterns += [path("o/<slug:org>/", include(rollout_patterns))]

# Leader briefs: the page with its form, and the same brief as PDF and Markdown.
from headway.web.views import rollout_brief  # noqa: E402

brief_patterns = [
    path("rollout/brief/", rollout_brief.rollout_brief, name="rollout-brief"),
    path("rollout/brief.pdf", rollout_brief.rollout_brief_pdf, name="rollout-brief-pdf"),
    path("rollout/brief.md", rollout_brief.rollout_brief_markdown, name="rollout-brief-md"),
]
urlpatterns += [path("o/<slug:org>/", include(brief_patterns))]

# Adoption and maturity: the organisation, its levels and teams, the pilot beside the rest.
from headway.web.views import adoption  # noqa: E402

urlpatterns += [path("o/<slug:org>/adoption/", adoption.adoption_page, name="adoption")]

# Outgoing webhooks (admins): the list, one webhook with its delivery log, its actions.
from headway.web.views import webhooks  # noqa: E402

webhook_patterns = [
    path("", webhooks.webhooks_page, name="webhooks"),
    path("<int:webhook_id>/", webhooks.webhook_detail, name="webhook-detail"),
    path("<int:webhook_id>/edit/", webhooks.webhook_edit, name="webhook-edit"),
    path("<int:webhook_id>/delete/", webhooks.webhook_delete, name="webhook-delete"),
    path("<int:webhook_id>/secret/", webhooks.webhook_secret, name="webhook-secret"),
    path("<int:webhook_id>/enable/", webhooks.webhook_enable, name="webhook-enable"),
    path("<int:webhook_id>/test/", webhooks.webhook_test, name="webhook-test"),
    path(
        "<int:webhook_id>/deliveries/<int:delivery_id>/redeliver/",
        webhooks.webhook_redeliver,
        name="webhook-redeliver",
    ),
]
urlpatterns += [path("o/<slug:org>/settings/webhooks/", include(webhook_patterns))]

# Notifications: a person's settings, a team's chat channels, the unsubscribe link.
from headway.web.views import notify  # noqa: E402

notify_patterns = [
    path("settings/notifications/", notify.notify_settings, name="notify-settings"),
    path("teams/<slug:slug>/chat/", notify.team_chat_channels, name="team-chat-channels"),
    path(
        "teams/<slug:slug>/chat/<int:channel_id>/toggle/",
        notify.team_chat_channel_toggle,
        name="team-chat-channel-toggle",
    ),
    path(
        "teams/<slug:slug>/chat/<int:channel_id>/delete/",
        notify.team_chat_channel_delete,
        name="team-chat-channel-delete",
    ),
    path(
        "teams/<slug:slug>/chat/<int:channel_id>/test/",
        notify.team_chat_channel_test,
        name="team-chat-channel-test",
    ),
]
urlpatterns += [
    path("o/<slug:org>/", include(notify_patterns)),
    path("unsubscribe/<str:token>/", notify.unsubscribe, name="notify-unsubscribe"),
]

# Imports: the mapping step of a Viva Goals file (its job page includes the same fragment).
from headway.web.views import import_viva  # noqa: E402

urlpatterns += [
    path(
        "o/<slug:org>/import/<int:job_id>/viva-columns/",
        import_viva.import_viva_mapping,
        name="import-viva-mapping",
    )
]

# Exports: any list as CSV or Excel (filtered like its page), the organisation as JSON.
from headway.web.views import export  # noqa: E402

export_patterns = [
    path("exports/organisation.json", export.organisation_export, name="export-organisation"),
    path("exports/<slug:name>.<slug:file_format>", export.list_export, name="export-list"),
]
urlpatterns += [path("o/<slug:org>/", include(export_patterns))]

# Imports (admins): upload with the templates, one import's page (progress, problems,
# preview, result), confirm, cancel, its problems as CSV.
from headway.web.views import transfer_import  # noqa: E402

import_patterns = [
    path("", transfer_import.import_page, name="import"),
    path("template.<slug:file_format>", transfer_import.import_template, name="import-template"),
    path("<int:job_id>/", transfer_import.import_job, name="import-job"),
    path("<int:job_id>/confirm/", transfer_import.import_confirm, name="import-confirm"),
    path("<int:job_id>/cancel/", transfer_import.import_cancel, name="import-cancel"),
    path("<int:job_id>/problems.csv", transfer_import.import_errors_csv, name="import-errors"),
]
urlpatterns += [path("o/<slug:org>/import/", include(import_patterns))]
