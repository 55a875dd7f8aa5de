//! A round's plans sync together. Each plan's pass hands its documents' requests to the
//! round's [`Batch`]; once every plan still syncing has handed its in (or finished), they
//! go to the server in one request (or as few as the route takes:
//! `coplan_domain::sync::pack`), and each plan is answered with its own documents. A
//! worker's phone holding thirty plans sends one request a pass, not thirty: on patchy
//! data each request is a round trip, and each can fail on its own.
//!
//! The plans run side by side (`futures::future::join_all` in `sync::sync_now`); a plan
//! that fails, or is still asking the server something else, only delays the others
//! until it hands its requests in or stops.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use coplan_domain::sync::wire::{read_response, write_request};
use coplan_domain::sync::{DocumentId, DocumentRequest, DocumentResponse, pack};
use futures_channel::oneshot;

use coplan_domain::plan::file::FileError;

use super::api::ApiProblem;
use super::flows::Problem;
use crate::checker::Refused;

type Answer = Result<Vec<DocumentResponse>, Problem>;
type Sent = Pin<Box<dyn Future<Output = Result<Vec<u8>, Problem>>>>;
/// Sends one body to the sync route and gives back the answer's bytes.
type Send = Rc<dyn Fn(Vec<u8>) -> Sent>;

struct Handed {
    requests: Vec<DocumentRequest>,
    answer: oneshot::Sender<Answer>,
}

#[derive(Default)]
struct State {
    /// The plans of the round still syncing.
    syncing: usize,
    /// What those of them waiting for an answer handed in.
    handed: Vec<Handed>,
}

/// One round's requests, gathered.
#[derive(Clone)]
pub(super) struct Batch {
    state: Rc<RefCell<State>>,
    send: Send,
}

/// One plan's place in a round: the round waits for it until it is dropped.
pub(super) struct Syncing {
    batch: Batch,
}

impl Batch {
    /// A round that sends to the server's sync route.
    pub(super) fn new() -> Self {
        Self::sending(Rc::new(|body| {
            Box::pin(async move { Ok(super::api::send_bytes("/api/v1/sync", body).await?) })
        }))
    }

    fn sending(send: Send) -> Self {
        Self {
            state: Rc::default(),
            send,
        }
    }

    /// A plan joins the round. Every plan joins before any starts.
    pub(super) fn join(&self) -> Syncing {
        self.state.borrow_mut().syncing += 1;
        Syncing {
            batch: self.clone(),
        }
    }

    /// Sends what was handed in, once every plan still syncing is waiting on it.
    fn send_when_all_in(&self) {
        let handed = {
            let mut state = self.state.borrow_mut();
            if state.handed.is_empty() || state.handed.len() < state.syncing {
                return;
            }
            std::mem::take(&mut state.handed)
        };
        wasm_bindgen_futures::spawn_local(send_all(self.send.clone(), handed));
    }
}

impl Syncing {
    /// One pass's requests for this plan's documents, sent with the other plans'; the
    /// answers about its own documents.
    pub(super) async fn exchange(&self, requests: Vec<DocumentRequest>) -> Answer {
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let (answer, answered) = oneshot::channel();
        self.batch
            .state
            .borrow_mut()
            .handed
            .push(Handed { requests, answer });
        self.batch.send_when_all_in();
        answered
            .await
            .unwrap_or(Err(Problem::Api(ApiProblem::Offline)))
    }
}

impl Drop for Syncing {
    fn drop(&mut self) {
        self.batch.state.borrow_mut().syncing -= 1;
        self.batch.send_when_all_in();
    }
}

async fn send_all(send: Send, handed: Vec<Handed>) {
    let mut groups = Vec::with_capacity(handed.len());
    let mut answers = Vec::with_capacity(handed.len());
    for Handed { requests, answer } in handed {
        groups.push(requests);
        answers.push(Some(answer));
    }
    let documents: Vec<Vec<DocumentId>> = groups
        .iter()
        .map(|requests| requests.iter().map(|r| r.document).collect())
        .collect();
    for body in pack(&groups) {
        let requests: Vec<DocumentRequest> = body
            .iter()
            .flat_map(|&caller| std::mem::take(&mut groups[caller]))
            .collect();
        let answered = match send(write_request(&requests)).await {
            Ok(bytes) => read_response(&bytes)
                .map_err(|_| Problem::Api(ApiProblem::Unexpected { status: 200 })),
            Err(problem) => Err(problem),
        };
        let mut responses: Vec<Option<DocumentResponse>> = match answered {
            Ok(responses) => responses.into_iter().map(Some).collect(),
            Err(problem) => {
                for &caller in &body {
                    if let Some(answer) = answers[caller].take() {
                        let _ = answer.send(Err(problem.clone()));
                    }
                }
                continue;
            }
        };
        for &caller in &body {
            let own = take_own(&mut responses, &documents[caller]);
            if let Some(answer) = answers[caller].take() {
                let _ = answer.send(Ok(own));
            }
        }
    }
}

/// The responses about `documents`, in the order the server gave them.
fn take_own(
    responses: &mut [Option<DocumentResponse>],
    documents: &[DocumentId],
) -> Vec<DocumentResponse> {
    responses
        .iter_mut()
        .filter(|r| r.as_ref().is_some_and(|r| documents.contains(&r.document)))
        .filter_map(Option::take)
        .collect()
}

thread_local! {
    /// `None` while no change is being checked; else those waiting for their turn.
    static CHECKING: RefCell<Option<VecDeque<oneshot::Sender<()>>>> = const { RefCell::new(None) };
}

/// Other phones' changes, checked in the checker's worker ([`crate::checker`]) one plan
/// at a time: the round's plans run side by side, and thirty workers at once would
/// be thirty copies of the checker in a cheap phone's memory.
pub(super) async fn check_updates(
    kind: u8,
    state: &[u8],
    updates: &[&[u8]],
) -> Result<Vec<Result<(), FileError>>, Refused> {
    let _turn = turn().await;
    crate::checker::check_updates(kind, state, updates).await
}

/// The checker's, until dropped.
struct Turn;

async fn turn() -> Turn {
    let waiting = CHECKING.with_borrow_mut(|checking| match checking {
        None => {
            *checking = Some(VecDeque::new());
            None
        }
        Some(queue) => {
            let (go, wait) = oneshot::channel();
            queue.push_back(go);
            Some(wait)
        }
    });
    if let Some(wait) = waiting {
        let _ = wait.await;
    }
    Turn
}

impl Drop for Turn {
    fn drop(&mut self) {
        CHECKING.with_borrow_mut(|checking| {
            // The next still waiting (one whose caller gave up is passed over).
            while let Some(next) = checking.as_mut().and_then(VecDeque::pop_front) {
                if next.send(()).is_ok() {
                    return;
                }
            }
            *checking = None;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coplan_domain::sync::wire::{read_request, write_response};
    use std::cell::Cell;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    /// A server that answers every document it is asked about, counting bodies; the
    /// first `failing` bodies fail.
    fn server(bodies: Rc<Cell<usize>>, failing: usize) -> Batch {
        Batch::sending(Rc::new(move |body| {
            let bodies = bodies.clone();
            Box::pin(async move {
                pause().await;
                bodies.set(bodies.get() + 1);
                if bodies.get() <= failing {
                    return Err(Problem::Api(ApiProblem::Offline));
                }
                let requests = read_request(&body).expect("a request");
                let responses: Vec<DocumentResponse> = requests
                    .iter()
                    .map(|r| DocumentResponse {
                        document: r.document,
                        log_id: "L".into(),
                        head: r.after + 1,
                        pushed: Vec::new(),
                        pulled: Vec::new(),
                    })
                    .collect();
                Ok(write_response(&responses))
            })
        }))
    }

    /// Lets the browser run something else first.
    async fn pause() {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let _ = web_sys::window()
                .expect("a window")
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 5);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    fn asking(plan: u8, documents: u8, after: u64) -> Vec<DocumentRequest> {
        (0..documents)
            .map(|d| DocumentRequest {
                document: [plan, d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                after,
                push: Vec::new(),
            })
            .collect()
    }

    /// A plan's passes: each asks for its documents and checks it is answered about
    /// them alone; it pauses between passes (reading and storing, as a plan does).
    async fn plan(syncing: Syncing, plan: u8, passes: u64) -> Result<u64, Problem> {
        let mut heads = 0;
        for pass in 0..passes {
            pause().await;
            let answer = syncing.exchange(asking(plan, 6, pass)).await?;
            assert_eq!(answer.len(), 6, "plan {plan} pass {pass}");
            assert!(
                answer
                    .iter()
                    .all(|r| r.document[0] == plan && r.head == pass + 1)
            );
            heads += answer.len() as u64;
        }
        Ok(heads)
    }

    #[wasm_bindgen_test]
    async fn thirty_plans_send_one_request_a_pass() {
        let bodies = Rc::new(Cell::new(0));
        let batch = server(bodies.clone(), 0);
        // Plans that need one, two or three passes: each pass is one body for all of
        // those still syncing.
        let joined: Vec<(u8, Syncing)> = (0..30).map(|p| (p, batch.join())).collect();
        let runs = joined
            .into_iter()
            .map(|(p, syncing)| plan(syncing, p, u64::from(p % 3) + 1));
        let done = futures::future::join_all(runs).await;
        assert!(done.iter().all(|r| *r.as_ref().unwrap() > 0));
        assert_eq!(bodies.get(), 3);
    }

    #[wasm_bindgen_test]
    async fn a_plan_that_stops_early_holds_no_one_up() {
        let bodies = Rc::new(Cell::new(0));
        let batch = server(bodies.clone(), 0);
        let stops = batch.join();
        let goes_on = batch.join();
        let stopping = async move {
            pause().await;
            drop(stops);
            Ok::<u64, Problem>(0)
        };
        let (stopped, went_on) = futures::future::join(stopping, plan(goes_on, 1, 2)).await;
        assert_eq!((stopped, went_on), (Ok(0), Ok(12)));
        assert_eq!(bodies.get(), 2);
    }

    #[wasm_bindgen_test]
    async fn a_failed_request_fails_every_plan_in_it_and_the_next_pass_goes() {
        let bodies = Rc::new(Cell::new(0));
        let batch = server(bodies.clone(), 1);
        let (a, b) = (batch.join(), batch.join());
        let (first_a, first_b) =
            futures::future::join(a.exchange(asking(1, 2, 0)), b.exchange(asking(2, 2, 0))).await;
        assert_eq!(first_a, Err(Problem::Api(ApiProblem::Offline)));
        assert_eq!(first_b, Err(Problem::Api(ApiProblem::Offline)));
        let (again_a, again_b) =
            futures::future::join(a.exchange(asking(1, 2, 0)), b.exchange(asking(2, 2, 0))).await;
        assert_eq!(again_a.map(|r| r.len()), Ok(2));
        assert_eq!(again_b.map(|r| r.len()), Ok(2));
        assert_eq!(bodies.get(), 2);
    }

    #[wasm_bindgen_test]
    async fn one_check_at_a_time() {
        let running = Rc::new(Cell::new(0));
        let most = Rc::new(Cell::new(0));
        let checks = (0..5).map(|_| {
            let (running, most) = (running.clone(), most.clone());
            async move {
                let _turn = turn().await;
                running.set(running.get() + 1);
                most.set(most.get().max(running.get()));
                pause().await;
                running.set(running.get() - 1);
            }
        });
        futures::future::join_all(checks).await;
        assert_eq!(most.get(), 1);
        // And the checker is free after.
        assert!(CHECKING.with_borrow(Option::is_none));
    }
}
