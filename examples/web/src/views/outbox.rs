//! The development SMS outbox.

use maud::{Markup, html};

use super::layout::{page as frame, time};
use crate::db::OutboxMessage;

pub fn page(token: &str, messages: &[OutboxMessage]) -> Markup {
    page_frame(html! {
        p.warn { "Development mode: no text message leaves this machine. Each message sent appears here; the buttons report what a real provider's status callback would." }
        @if messages.is_empty() { p.muted { "No messages yet." } }
        table #outbox {
            tr { th { "Sent" } th { "To" } th { "Message" } th { "Status" } th { "Provider callback" } }
            @for m in messages {
                tr.message data-id=(m.id) {
                    td { (time(m.at)) }
                    td.mono { (m.to) }
                    td.body { (m.body) }
                    td.status { (m.status) }
                    td {
                        (status_button(token, m.id, "delivered", "Delivered"))
                        (status_button(token, m.id, "failed", "Failed"))
                        (status_button(token, m.id, "delayed", "Delayed"))
                    }
                }
            }
        }
    })
}

fn status_button(token: &str, id: i64, status: &str, label: &str) -> Markup {
    html! {
        form.inline method="post" action=(format!("/outbox/{id}/status")) {
            (super::layout::csrf(token))
            input type="hidden" name="status" value=(status);
            button.secondary type="submit" data-status=(status) { (label) }
        }
    }
}

fn page_frame(body: Markup) -> Markup {
    frame("SMS outbox", None, body)
}
