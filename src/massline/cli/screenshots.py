"""``massline screenshots``: PNGs of the inbox, a message page, a case page with its dispatch panel, the
dashboard and the public request page.

A throw-away installation is built in a temporary folder (what ``massline demo`` prepares —
the bundled real sample, classifier, analysis, work orders and 附件4 replies — plus the tiny
seed with a message carrying personal data), served by uvicorn on a free port, and photographed with Debian's
chromium through Playwright — the same setup as the browser tests, so the pictures show what
the tests check.
"""

from __future__ import annotations

import secrets
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from massline.cli._apps import app, console, err_console

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = (("inbox", "/staff/inbox"), ("message", None), ("case", None), ("dashboard", "/staff/dashboard"),
         ("public-request", "/"))
#: Publicize pages (public, at phone width for the list and post) and the editor's console.
POST_SHOTS = (("posts", "/posts"), ("post", "post"), ("stats", "/stats"))
EDITOR_SHOT = "posts-editor"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(folder: Path, password: str) -> dict[str, str]:
    """The demo installation (real sample, trained classifier, analysis, work orders) plus one citizen message
    carrying personal data, taken through the real intake and analysis pipeline, so the message page shows
    real results and the masking of an ID number and a phone number; a case waiting for its department
    shows the dispatch panel."""
    from sqlalchemy import select

    from massline.analyze.run import analyze_messages
    from massline.cli.demo import run_demo
    from massline.core.config import Settings
    from massline.db.models.workorders import WorkOrder
    from massline.db.session import session_scope
    from massline.ingest.service import ingest_text
    from massline.web.pages.sample import PII_BODY, create_user_with_password

    settings = Settings(database_url=f"sqlite:///{folder / 'massline.db'}", data_dir=folder, secret_key="screenshots")
    console.print("preparing a throw-away demo installation (trains the classifier, ~2 min)…")
    run_demo(settings)
    message = ingest_text(settings, PII_BODY, title="A5区道路破损", source_name="web form")
    analyze_messages(settings, message_ids=[message.id])
    with session_scope(settings.resolved_database_url()) as session:
        create_user_with_password(session, "screens", "dispatcher", password)
        create_user_with_password(session, "screens-editor", "editor", password)
        create_user_with_password(session, "screens-reviewer", "reviewer", password)
        case_id = session.scalar(select(WorkOrder.id).where(WorkOrder.status == "assigned")
                                 .order_by(WorkOrder.created_at.desc()).limit(1))
    return {"message": f"/staff/messages/{message.id}", "case": f"/staff/workorders/{case_id}"}


def _prepare_posts(settings: object) -> tuple[str, str]:
    """Published posts (one a public reply made from a demo case in one step) and one waiting for review,
    written through the publish service; returns (public post path, editor page path)."""
    from sqlalchemy import select

    from massline.db.models.workorders import Reply, WorkOrder
    from massline.db.session import session_scope
    from massline.publish import posts as svc
    from massline.serve.accounts import get_user

    with session_scope(settings.resolved_database_url()) as s:  # type: ignore[attr-defined]
        ed, rev = get_user(s, "screens-editor"), get_user(s, "screens-reviewer")
        road = ("12月10日至12月25日，**西湖路**（人民路—解放路段）半幅施工。\n\n- 公交 12 路、35 路临时改经东风路\n"
                "- 行人请走东侧人行道\n\n咨询请拨打 12345。")
        care = "线上备案：登录医保服务平台 → 异地就医 → 备案申请。\n\n线下备案：携带身份证件到参保地医保经办窗口办理。"
        items = [("notice", "A3区西湖路施工期间交通绕行公告", road, "交通运输", "A3区"),
                 ("explainer", "一图读懂：异地就医备案怎么办", care, "卫生计生", "A2区")]
        first = 0
        for kind, title, body, topic, district in items:
            post = svc.create_post(s, kind=kind, title=title, body=body, actor=ed, topics=[topic], districts=[district])
            svc.submit(s, post, actor=ed)
            svc.approve(s, post, actor=rev)
            svc.publish(s, post, actor=rev)
            first = first or post.id
        replied = s.scalar(select(WorkOrder.id).join(Reply, Reply.work_order_id == WorkOrder.id)
                           .where(Reply.public.is_(True)).limit(1))
        if replied is not None:
            post = svc.reply_post_from_case(s, replied, actor=ed)
            svc.submit(s, post, actor=ed)
            svc.approve(s, post, actor=rev)
            svc.publish(s, post, actor=rev)
        pending = svc.create_post(s, kind="notice", title="关于来信反映问题的答复（待审核）",
                                  body="来信人身份证号110101199003074258，反映的路灯问题已修复。", actor=ed,
                                  topics=["城乡建设"], districts=["A5区"])
        svc.submit(s, pending, actor=ed)
        return f"/posts/{first}", f"/staff/posts/{pending.id}"


def take_screenshots(output: Path, only: tuple[str, ...] = ()) -> list[Path]:
    """Write the PNGs into ``output``; returns their paths."""
    import uvicorn
    from playwright.sync_api import sync_playwright

    from massline.core.config import Settings
    from massline.web.app import create_app

    output.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    password = secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = _prepare(folder, password)
        post_path, editor_path = _prepare_posts(Settings(database_url=f"sqlite:///{folder / 'massline.db'}",
                                                         data_dir=folder, secret_key="screenshots"))
        settings = Settings(database_url=f"sqlite:///{folder / 'massline.db'}", data_dir=folder,
                            secret_key="screenshots")
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                page = browser.new_page(base_url=f"http://127.0.0.1:{port}", viewport={"width": 1280, "height": 900},
                                        locale="zh-CN")
                page.goto("/staff/login")
                page.get_by_label("用户名").fill("screens")
                page.get_by_label("密码").fill(password)
                page.get_by_role("button", name="登录").click()
                page.wait_for_url("**/staff/inbox")
                for name, path in SHOTS if "publish" not in only else ():
                    page.goto(path or paths[name])
                    if name == "dashboard":
                        page.wait_for_selector("body[data-charts-ready=true]")
                    target = output / f"{name}.png"
                    page.screenshot(path=str(target), full_page=name != "inbox")
                    written.append(target)
                phone = browser.new_page(base_url=f"http://127.0.0.1:{port}", viewport={"width": 390, "height": 844},
                                         locale="zh-CN")
                for name, path in POST_SHOTS:
                    phone.goto(post_path if path == "post" else path)
                    if name == "stats":
                        phone.wait_for_selector("body[data-charts-ready=true]")
                    target = output / f"{name}.png"
                    phone.screenshot(path=str(target), full_page=True)
                    written.append(target)
                page.context.clear_cookies()
                page.goto("/staff/login")
                page.get_by_label("用户名").fill("screens-reviewer")
                page.get_by_label("密码").fill(password)
                page.get_by_role("button", name="登录").click()
                page.wait_for_url("**/staff/inbox")
                page.goto(editor_path)
                target = output / f"{EDITOR_SHOT}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=5)
    return written


@app.command("screenshots")
def screenshots_cmd(
    output: Annotated[Path, typer.Option(help="Folder for the PNG files.")] = Path("docs/screenshots"),
    only: Annotated[str, typer.Option("--only", help="'publish' = only the publicize pages.")] = "",
) -> None:
    """Photograph the main pages (inbox, message, case, dashboard, public request) with chromium."""
    if not Path(CHROMIUM).exists():
        err_console.print(f"[red]{CHROMIUM} is missing[/]: run scripts/ensure-chromium.sh (as root)")
        raise typer.Exit(2)
    for path in take_screenshots(output, tuple(p for p in only.split(",") if p)):
        console.print(f"wrote {path}")
