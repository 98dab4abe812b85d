// The shell of every page: local font, navigation that reflects the signed-in user's role.
import type { Metadata } from "next";
import localFont from "next/font/local";
import Link from "next/link";
import type { ReactNode } from "react";
import { currentUser } from "./_lib/auth/session";
import { signOutAction } from "./(auth)/actions";
import "./globals.css";

const inter = localFont({
  src: "../node_modules/@fontsource-variable/inter/files/inter-latin-wght-normal.woff2",
  variable: "--font-inter",
});

export const metadata: Metadata = {
  title: { default: "ICA Labs — learn Istio by doing", template: "%s · ICA Labs" },
  description: "Hands-on labs, lessons and mock exams for the Istio Certified Associate exam.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en" className={inter.variable}>
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2">
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white">
          <nav aria-label="Main" className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
            <Link href="/" className="text-lg font-bold text-sky-700">
              ICA Labs
            </Link>
            <Link href="/catalog" className="text-sm hover:text-sky-700">Catalog</Link>
            {user && <Link href="/dashboard" className="text-sm hover:text-sky-700">Dashboard</Link>}
            {user && (user.role === "INSTRUCTOR" || user.role === "ADMIN") && (
              <Link href="/instructor" className="text-sm hover:text-sky-700">Instructor</Link>
            )}
            {user?.role === "ADMIN" && <Link href="/admin" className="text-sm hover:text-sky-700">Admin</Link>}
            <div className="ml-auto flex items-center gap-3 text-sm">
              {user ? (
                <>
                  <span className="text-slate-600" data-testid="signed-in-as">{user.name}</span>
                  <form action={signOutAction}>
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
          </nav>
        </header>
        <main id="main" className="mx-auto max-w-6xl px-4 py-8">{children}</main>
      </body>
    </html>
  );
}
