/// <reference types="vite/client" />

declare module 'vue' {
  interface ComponentCustomProperties {
    /** Table columns' widths in em of the page's text (see `em` in state.ts). */
    $em: (n: number) => number
  }
}

export {}
