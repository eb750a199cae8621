import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'

declare module 'vue-router' {
  interface RouteMeta {
    /** Shown as the page title in the header. */
    title: string
  }
}

// Every screen is its own chunk: the first screen does not wait for the others' code.
export const routes: RouteRecordRaw[] = [
  { path: '/', component: () => import('./views/TodayView.vue'), meta: { title: '今日值班' } },
  {
    path: '/reception/new',
    component: () => import('./views/ReceptionView.vue'),
    meta: { title: '接待登记' },
  },
  { path: '/cases', component: () => import('./views/CasesView.vue'), meta: { title: '案件台账' } },
  {
    path: '/cases/:caseNo',
    component: () => import('./views/CaseDetailView.vue'),
    props: true,
    meta: { title: '案件详情' },
  },
  {
    path: '/meetings',
    component: () => import('./views/MeetingsView.vue'),
    meta: { title: '民主议事会' },
  },
  {
    path: '/mediations',
    component: () => import('./views/MediationsView.vue'),
    meta: { title: '人民调解' },
  },
  {
    path: '/suggestions',
    component: () => import('./views/SuggestionsView.vue'),
    meta: { title: '代表建议' },
  },
  { path: '/duty', component: () => import('./views/DutyView.vue'), meta: { title: '值班安排' } },
  { path: '/sync', component: () => import('./views/SyncView.vue'), meta: { title: '同步' } },
  { path: '/stats', component: () => import('./views/StatsView.vue'), meta: { title: '统计' } },
  { path: '/audit', component: () => import('./views/AuditView.vue'), meta: { title: '操作记录' } },
  {
    path: '/settings',
    component: () => import('./views/SettingsView.vue'),
    meta: { title: '设置' },
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export function makeRouter() {
  return createRouter({ history: createWebHashHistory(), routes })
}
