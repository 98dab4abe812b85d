"use client";
// The signed-in part of the main navigation. Pages rendered per request pass the user in; prerendered pages (lessons)
// have none, so the browser asks /api/me once and fills in the same links.
import Link from "next/link";
import { useEffect, useState } from "react";

export interface NavUser {
  name: string;
  role: "LEARNER" | "INSTRUCTOR" | "ADMIN";
}

export function NavAccount(props: { user: NavUser | null; signOut: () => Promise<void> }) {
  const [user, setUser] = useState<NavUser | null>(props.user);

  useEffect(() => {
    setUser(props.user);
    if (props.user) return;
    let cancelled = false;
    fetch("/api/me")
      .then(async (response) => (response.ok ? ((await response.json()) as { user: NavUser }).user : null))
      .then((found) => {
        if (!cancelled && found) setUser(found);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [props.user]);

  return (
    <>
      {user && <Link href="/dashboard" className="text-sm hover:text-sky-700">Dashboard</Link>}
      {user && (user.role === "INSTRUCTOR" || user.role === "ADMIN") && (
        <Link href="/instructor" className="text-sm hover:text-sky-700">Instructor</Link>
      )}
      {user?.role === "ADMIN" && <Link href="/admin" className="text-sm hover:text-sky-700">Admin</Link>}
      <div className="ml-auto flex items-center gap-3 text-sm">
        {user ? (
          <>
            <span className="text-slate-600" data-testid="signed-in-as">{user.name}</span>
            <form action={props.signOut}>
              <button type="submit" className="rounded border border-slate-300 px-3 py-1 hover:bg-slate-100">Sign out</button>
            </form>
          </>
        ) : (
          <>
            <Link href="/sign-in" className="hover:text-sky-700">Sign in</Link>
            <Link href="/sign-up" className="rounded bg-sky-700 px-3 py-1 font-medium text-white hover:bg-sky-800">Sign up</Link>
          </>
        )}
      </div>
    </>
  );
}
