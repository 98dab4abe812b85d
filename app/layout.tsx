// The shell of every page: local font, navigation that reflects the signed-in user's role.
import type { Metadata } from "next";
import localFont from "next/font/local";
import Link from "next/link";
import type { ReactNode } from "react";
import { NavAccount } from "./_components/nav-account";
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
            <Link href="/lessons" className="text-sm hover:text-sky-700">Lessons</Link>
            <Link href="/quizzes" className="text-sm hover:text-sky-700">Quizzes</Link>
            <NavAccount user={user && { name: user.name, role: user.role }} signOut={signOutAction} />
          </nav>
        </header>
        <main id="main" className="mx-auto max-w-6xl px-4 py-8">{children}</main>
      </body>
    </html>
  );
}
