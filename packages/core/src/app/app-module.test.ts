import { describe, expect, it } from 'vitest'
import { parseAppModule } from './app-module.js'
import { AppLoadError } from './types.js'

describe('parseAppModule', () => {
  it('reads module alone as its default export', () => {
    expect(parseAppModule('app')).toEqual({ module: 'app', exportPath: undefined, factoryArgs: undefined })
    expect(parseAppModule('./src/server.mjs')).toEqual({ module: './src/server.mjs', exportPath: undefined, factoryArgs: undefined })
    expect(parseAppModule('@scope/pkg/sub')).toEqual({ module: '@scope/pkg/sub', exportPath: undefined, factoryArgs: undefined })
  })

  it('reads module:export and module:obj.attr', () => {
    expect(parseAppModule('app.js:app')).toEqual({ module: 'app.js', exportPath: ['app'], factoryArgs: undefined })
    expect(parseAppModule('lib/app:server.handlers.main')).toEqual({ module: 'lib/app', exportPath: ['server', 'handlers', 'main'], factoryArgs: undefined })
    expect(parseAppModule('m:$x_1')).toMatchObject({ exportPath: ['$x_1'] })
  })

  it('reads module:factory(args) with JSON literal arguments', () => {
    expect(parseAppModule('app.mjs:create("a", 2)')).toEqual({ module: 'app.mjs', exportPath: ['create'], factoryArgs: ['a', 2] })
    expect(parseAppModule('app:create()')).toEqual({ module: 'app', exportPath: ['create'], factoryArgs: [] })
    expect(parseAppModule('app:make.app({"debug": true, "list": [1, null]}, "x:y")')).toEqual({
      module: 'app',
      exportPath: ['make', 'app'],
      factoryArgs: [{ debug: true, list: [1, null] }, 'x:y'],
    })
  })

  it.each([[''], ['  '], ['app:'], [':app'], ['app:1x'], ['app:a..b'], ['app:create('], ['app:create("x"']])('refuses %j', (text) => {
    expect(() => parseAppModule(text)).toThrow(AppLoadError)
    expect(() => parseAppModule(text)).toThrow('is not a valid APP_MODULE; use module, module:export or module:factory(args)')
  })

  it.each([["app:create('single')"], ['app:create(a, b)'], ['app:create(1,)']])('refuses non-JSON factory arguments in %s', (text) => {
    expect(() => parseAppModule(text)).toThrow(AppLoadError)
    expect(() => parseAppModule(text)).toThrow(`the factory arguments in '${text}' must be JSON literals`)
  })
})
